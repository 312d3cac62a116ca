/**
 * promote-stage: assign a stage to a version (`<artifact>#<stage>#<N>`, GTO format) through the GitHub
 * API, only if the version holds the stage just before (unless forced with a reason), or roll a stage
 * back to the version that held it before.
 */
import { join } from 'node:path';
import { actionLogger, boolInput, input, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { loadConfig } from '../lib/config.js';
import { UserError } from '../lib/errors.js';
import { runUrl } from '../lib/github/context.js';
import { createOctokit } from '../lib/github/octokit.js';
import { stageFlow } from '../lib/promotion.js';
import { GitHubTagBackend, promoteVersion, readMetricsSnapshot } from '../lib/registry/index.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const cwd = join(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('working-directory') || '.');
  const configPath = input('config-path') || 'mlops.yml';
  const config = loadConfig(cwd, configPath);
  const artifact = input('artifact') || config?.artifact;
  if (!artifact) throw new UserError(`Input artifact is empty and ${configPath} has no \`artifact:\``, { field: 'artifact' });
  const stage = input('stage', { required: true });
  const [owner, repo] = (input('repository') || process.env.GITHUB_REPOSITORY || '').split('/');
  if (!owner || !repo) throw new UserError('Input repository must be owner/name (default: the current repository)', { field: 'repository' });
  const version = input('version');
  const ref = input('ref');
  const force = boolInput('force', false);
  const rollback = boolInput('rollback', false);
  const reason = input('reason');

  const octokit = createOctokit({ token, logger: actionLogger });
  const backend = new GitHubTagBackend(octokit, { owner, repo, log: actionLogger });
  const result = await promoteVersion(backend, {
    artifact,
    stage,
    flow: stageFlow(config, cwd),
    version: version || undefined,
    ref: ref || undefined,
    force,
    reason: reason || undefined,
    rollback,
    audit: {
      actor: process.env.GITHUB_ACTOR,
      runUrl: runUrl(),
      metrics: readMetricsSnapshot(input('metrics'), cwd),
      imageDigest: input('image-digest') || undefined,
    },
    log: actionLogger,
  });

  output('stage', result.stage);
  output('version', result.version);
  output('tag', result.tag);
  output('commit', result.commit);
  output('previous-version', result.previousVersion ?? '');
  output('created', result.created);
  const was = result.previousVersion ? ` (was ${result.previousVersion})` : '';
  await summary(
    result.created
      ? `${rollback ? 'Rolled back' : 'Promoted'} **${artifact} ${result.version}** to **${stage}**${was}: tag \`${result.tag}\`${force ? ` — forced: ${reason}` : ''}\n`
      : `**${artifact} ${result.version}** is already in **${stage}** (tag \`${result.tag}\`)\n`,
  );
});
