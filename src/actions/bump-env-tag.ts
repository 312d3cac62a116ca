/**
 * bump-env-tag: set the image (name, tag, digest) of one environment in its GitOps file — this
 * repository or another — by a fast-forward commit or a pull request from bump/<env>/<app>, then
 * record a GitHub deployment so the Environments page shows what runs where.
 */
import { join } from 'node:path';
import { actionLogger, boolInput, input, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { loadConfig } from '../lib/config.js';
import { UserError } from '../lib/errors.js';
import { recordDeployment } from '../lib/github/deployments.js';
import { createOctokit } from '../lib/github/octokit.js';
import { findOpenPull, openOrUpdatePull } from '../lib/github/pulls.js';
import { bumpEnvironment, type PullRequests } from '../lib/gitops/bump.js';
import { resolveBump } from '../lib/gitops/environment.js';
import { GithubBackend } from '../lib/gitops/github-backend.js';
import { runUrl as runUrlFromEnv } from '../lib/github/context.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const gitopsToken = secretInput('gitops-token') || token;
  const cwd = join(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('working-directory') || '.');
  const config = loadConfig(cwd, input('config-path') || 'mlops.yml');
  const createInput = input('create');
  const r = resolveBump(config, {
    env: input('environment', { required: true }),
    image: input('image'),
    newName: input('new-name'),
    tag: input('tag'),
    digest: input('digest'),
    path: input('path'),
    format: input('format'),
    repo: input('repository'),
    branch: input('branch'),
    mode: input('mode'),
    app: input('app'),
    create: createInput === '' ? undefined : boolInput('create', false),
    policy: input('flux-policy'),
  });
  const version = input('version');
  const here = process.env.GITHUB_REPOSITORY ?? '';
  const target = r.repo || here;
  const [owner, repo] = target.split('/');
  if (!owner || !repo) throw new UserError('Input repository must be owner/name (default: environments.<env>.repo, else this repository)', { field: 'repository' });
  if (target !== here && gitopsToken === token) {
    actionLogger.warning(`${r.env}: the GitOps repository ${target} is not this repository; github.token cannot write there — pass gitops-token`);
  }

  const gitops = createOctokit({ token: gitopsToken, logger: actionLogger });
  const backend = new GithubBackend(gitops, owner, repo);
  const prs: PullRequests = {
    findOpen: (head, base) => findOpenPull(gitops, { owner, repo, head, base }),
    openOrUpdate: (head, base, title, body) => openOrUpdatePull(gitops, { owner, repo, head, base, title, body }),
  };
  const runUrl = runUrlFromEnv();
  const result = await bumpEnvironment(
    backend,
    {
      env: r.env,
      app: r.app,
      path: r.path,
      format: r.format,
      update: r.update,
      edit: r.edit,
      mode: r.mode,
      branch: r.branch,
      version: version || undefined,
      runUrl,
      source: here && process.env.GITHUB_SHA ? `${here}@${process.env.GITHUB_SHA.slice(0, 12)}` : undefined,
    },
    prs,
    actionLogger,
  );

  let deploymentId = '';
  // A deployment says "this environment now runs X": true once the commit is on the environment's
  // branch (direct mode), not while a pull request waits for review.
  if (boolInput('deployment', true) && result.changed && r.mode === 'direct' && here && process.env.GITHUB_SHA) {
    const [hOwner, hRepo] = here.split('/') as [string, string];
    const octokit = target === here ? gitops : createOctokit({ token, logger: actionLogger });
    const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
    const dep = await recordDeployment(octokit, {
      owner: hOwner,
      repo: hRepo,
      ref: process.env.GITHUB_SHA,
      environment: r.env,
      description: `${result.to}${version ? ` (${version})` : ''}`,
      payload: { image: result.to, version: version || undefined, digest: r.update.digest, gitops: { repository: target, path: r.path, commit: result.commit } },
      logUrl: runUrl,
      environmentUrl: result.commit ? `${server}/${target}/commit/${result.commit}` : undefined,
    });
    deploymentId = String(dep.id);
  }

  output('changed', result.changed);
  output('commit', result.commit ?? '');
  output('pr-url', result.prUrl ?? '');
  output('branch', result.branch);
  output('image', result.to);
  output('previous-image', result.from ?? '');
  output('deployment-id', deploymentId);
  const where = `\`${r.path}\` in ${target}@${result.branch}`;
  await summary(
    result.changed
      ? `**${r.env}**: ${result.from ? `\`${result.from}\` → ` : ''}\`${result.to}\` in ${where}${result.prUrl ? ` — pull request ${result.prUrl}` : ''}\n`
      : `**${r.env}**: ${where} already has \`${result.to}\`; nothing committed${result.prUrl ? ` (pull request ${result.prUrl})` : ''}\n`,
  );
});
