/** `mlops pull`: fetch DVC-tracked data and models like `dvc pull`, without DVC (same lib as the dvc-pull action). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pull as pullOuts } from '../../lib/dvc/pull.js';
import { toRepoTarget } from '../../lib/dvc/outs.js';
import { UserError } from '../../lib/errors.js';
import { stderrLogger } from '../../lib/log.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops pull [targets...] [--remote <name>] [--jobs <n>] [--repo <dir>]

Downloads the DVC-tracked files of the repository enclosing the current folder (or --repo) from their
DVC remote (local folder, http(s) or s3), verifies every md5 and places them in the workspace.
Targets, relative to the current folder: a .dvc file, dvc.yaml / dvc.lock, a stage name
([path/to/dvc.yaml:]stage), a tracked path, or a path inside a tracked directory. None = everything.
--remote overrides the remote of every out; --jobs sets parallel downloads (default 8 per core).
Credentials: .dvc/config.local, MLOPS_DVC_REMOTE_<NAME>_<OPTION> (e.g. _PASSWORD), AWS_* for s3.`;

/** The nearest folder at or above `from` holding a `.dvc` folder, as DVC finds its repository. */
function findRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, '.dvc'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new UserError(`no DVC repository (a folder with .dvc/) at or above ${from}`);
    dir = up;
  }
}

export const pull: Command = {
  name: 'pull',
  summary: 'download DVC-tracked data and models from the DVC remote, md5-verified (no DVC needed)',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { remote: { type: 'string', short: 'r' }, jobs: { type: 'string', short: 'j' }, repo: { type: 'string' } }, usage);
    let jobs: number | undefined;
    if (values.jobs !== undefined) {
      jobs = Number(values.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`--jobs must be a positive integer, got "${values.jobs}"`);
    }
    const cwd = process.cwd();
    const root = findRoot(values.repo ?? cwd);
    const base = values.repo ? root : cwd;
    const result = await pullOuts({
      root,
      targets: positionals.map((t) => toRepoTarget(root, base, t)),
      remote: values.remote,
      jobs,
      logger: stderrLogger,
    });
    process.stdout.write(
      `${result.files} file(s), ${result.bytes} bytes; downloaded ${result.downloadedObjects} object(s), ${result.downloadedBytes} bytes; placed ${result.placed}\n`,
    );
    return 0;
  },
};
