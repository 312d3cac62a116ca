/**
 * dvc-pull: bring DVC-tracked data and models into the workspace without installing DVC — read the
 * .dvc files and dvc.lock, fetch from the DVC remote (local, http(s), s3) with md5 verification, and
 * keep `.dvc/cache` in the Actions cache so a warm run downloads nothing.
 */
import { join, posix } from 'node:path';
import * as cache from '@actions/cache';
import { actionLogger, boolInput, input, intInput, listInput, mask, output, runAction, summary } from '../lib/actions-io.js';
import { pullWithCache } from '../lib/dvc/ci-cache.js';
import { formatBytes, pull } from '../lib/dvc/pull.js';
import { isUserError, UserError } from '../lib/errors.js';

await runAction(async () => {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workdir = input('working-directory') || '.';
  try {
    await pullAction(workspace, workdir);
  } catch (e) {
    // Annotations point at files relative to the workspace, lib errors at files relative to the DVC repo.
    if (isUserError(e) && e.file && workdir !== '.') throw new UserError(e.message, { ...e, file: posix.join(workdir, e.file) });
    throw e;
  }
});

async function pullAction(workspace: string, workdir: string): Promise<void> {
  const root = join(workspace, workdir);
  const jobs = intInput('jobs', 0, 0) || undefined;
  const remote = input('remote') || undefined;
  const useCache = boolInput('cache', true);
  const opts = { root, targets: listInput('targets'), remote, jobs, logger: actionLogger, onSecret: mask };

  let result;
  if (useCache && cache.isFeatureAvailable()) {
    result = await pullWithCache({
      ...opts,
      cwd: workspace,
      cache: {
        restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
        save: async (paths, key) => {
          await cache.saveCache(paths, key);
        },
      },
    });
  } else {
    if (useCache) actionLogger.info('Actions cache not available here; pulling without it');
    result = { ...(await pull(opts)), cacheHit: false };
  }
  if (result.outs.length === 0) actionLogger.warning(`nothing to pull: no cached DVC outs in ${workdir} (.dvc files or dvc.lock)`);

  output('files', result.files);
  output('bytes', result.bytes);
  output('downloaded-bytes', result.downloadedBytes);
  output('cache-hit', result.cacheHit);
  await summary(
    `### dvc-pull\n${result.files} file(s), ${formatBytes(result.bytes)} in ${result.outs.length} out(s); ` +
      `downloaded ${formatBytes(result.downloadedBytes)}${result.cacheHit ? ' (Actions cache hit)' : ''}.\n`,
  );
}
