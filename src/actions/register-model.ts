/**
 * register-model: create the next version tag (`<artifact>@vX.Y.Z`, GTO format) at a commit through the
 * GitHub API, or return the version that commit already has.
 */
import { join } from 'node:path';
import { actionLogger, input, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { loadConfig } from '../lib/config.js';
import { UserError } from '../lib/errors.js';
import { runUrl } from '../lib/github/context.js';
import { createOctokit } from '../lib/github/octokit.js';
import { GitHubTagBackend, parseBump, readMetricsSnapshot, registerVersion } from '../lib/registry/index.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const cwd = join(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('working-directory') || '.');
  const configPath = input('config-path') || 'mlops.yml';
  const config = loadConfig(cwd, configPath);
  const artifact = input('artifact') || config?.artifact;
  if (!artifact) throw new UserError(`Input artifact is empty and ${configPath} has no \`artifact:\``, { field: 'artifact' });
  const [owner, repo] = (input('repository') || process.env.GITHUB_REPOSITORY || '').split('/');
  if (!owner || !repo) throw new UserError('Input repository must be owner/name (default: the current repository)', { field: 'repository' });
  const ref = input('ref') || process.env.GITHUB_SHA;
  if (!ref) throw new UserError('Input ref is empty and GITHUB_SHA is not set', { field: 'ref' });
  const bump = input('bump');
  const version = input('version');

  const octokit = createOctokit({ token, logger: actionLogger });
  const backend = new GitHubTagBackend(octokit, { owner, repo, log: actionLogger });
  const result = await registerVersion(backend, {
    artifact,
    ref,
    version: version || undefined,
    bump: bump ? parseBump(bump) : undefined,
    audit: {
      actor: process.env.GITHUB_ACTOR,
      runUrl: runUrl(),
      metrics: readMetricsSnapshot(input('metrics'), cwd),
      imageDigest: input('image-digest') || undefined,
    },
    log: actionLogger,
  });

  output('version', result.version);
  output('tag', result.tag);
  output('commit', result.commit);
  output('created', result.created);
  await summary(
    result.created
      ? `Registered **${artifact} ${result.version}** at \`${result.commit.slice(0, 12)}\` (tag \`${result.tag}\`)\n`
      : `**${artifact} ${result.version}** was already registered at \`${result.commit.slice(0, 12)}\` (tag \`${result.tag}\`)\n`,
  );
});
