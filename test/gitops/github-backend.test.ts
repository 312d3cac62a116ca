/**
 * The GitHub API backend against the API fake (real bare repositories behind it): compare-and-swap
 * commits under 20 concurrent bumps, PR mode updating one pull request in place, deployments.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDeployment } from '../../src/lib/github/deployments.js';
import { createOctokit, type Octokit } from '../../src/lib/github/octokit.js';
import { findOpenPull, openOrUpdatePull } from '../../src/lib/github/pulls.js';
import { bumpEnvironment, type BumpOptions, type PullRequests } from '../../src/lib/gitops/bump.js';
import { checkUpdate } from '../../src/lib/gitops/edit.js';
import { GithubBackend } from '../../src/lib/gitops/github-backend.js';
import { type GitHubFake, startGitHubFake } from '../harness/github-fake/index.js';

const PATH = 'overlays/dev/kustomization.yaml';
const SEED = `# dev
images:
  - name: churn   # model server
    newName: ghcr.io/acme/churn
    newTag: "v0.0.0"
`;
const D = `sha256:${'d'.repeat(64)}`;

let fake: GitHubFake;
let octokit: Octokit;
const git = (repo: string, ...args: string[]) => execFileSync('git', args, { cwd: fake.repoPath(repo), encoding: 'utf8' }).trim();

function prsFor(owner: string, repo: string): PullRequests {
  return {
    findOpen: (head, base) => findOpenPull(octokit, { owner, repo, head, base }),
    openOrUpdate: (head, base, title, body) => openOrUpdatePull(octokit, { owner, repo, head, base, title, body }),
  };
}

const opts = (tag: string, extra: Partial<BumpOptions> = {}): BumpOptions => ({
  env: 'dev',
  path: PATH,
  format: 'kustomize',
  update: checkUpdate({ image: 'churn', newName: 'ghcr.io/acme/churn', tag }),
  mode: 'direct',
  ...extra,
});

beforeAll(async () => {
  fake = await startGitHubFake();
  octokit = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false });
});

afterAll(async () => {
  await fake?.close();
});

describe('GitHub API backend', () => {
  it('20 concurrent direct bumps: each a fast-forward commit, none lost, the last commit holds its value', async () => {
    await fake.createRepo('acme/deploy', { files: { [PATH]: SEED } });
    const seed = (await fake.resolve('acme/deploy', 'main'))!;
    const backend = new GithubBackend(octokit, 'acme', 'deploy');
    const tags = Array.from({ length: 20 }, (_, i) => `v1.0.${i + 1}`);
    const results = await Promise.all(tags.map((tag) => bumpEnvironment(backend, opts(tag))));
    expect(results.every((r) => r.changed)).toBe(true);
    const history = git('acme/deploy', 'rev-list', '--first-parent', `${seed}..main`).split('\n');
    expect(history).toHaveLength(20);
    expect(git('acme/deploy', 'rev-list', '--min-parents=2', `${seed}..main`)).toBe('');
    const byCommit = new Map(results.map((r, i) => [r.commit!, tags[i]!]));
    expect(new Set(history)).toEqual(new Set(byCommit.keys()));
    for (const c of history) expect(git('acme/deploy', 'show', `${c}:${PATH}`)).toContain(`newTag: "${byCommit.get(c)}"`);
    const tip = history[0]!;
    expect(git('acme/deploy', 'show', `main:${PATH}`)).toBe(SEED.replace('v0.0.0', byCommit.get(tip)!).trimEnd());
    expect(fake.invalid).toEqual([]);
  }, 240_000);

  it('no change: changed=false, no commit, no write request', async () => {
    const head = await fake.resolve('acme/deploy', 'main');
    const current = /newTag: "([^"]+)"/.exec(git('acme/deploy', 'show', `main:${PATH}`))![1]!;
    fake.clearLog();
    const r = await bumpEnvironment(new GithubBackend(octokit, 'acme', 'deploy'), opts(current));
    expect(r).toMatchObject({ changed: false, commit: head });
    expect(fake.count((q) => q.method !== 'GET')).toBe(0);
    expect(fake.invalid).toEqual([]);
  });

  it('bad input commits nothing', async () => {
    const head = await fake.resolve('acme/deploy', 'main');
    const backend = new GithubBackend(octokit, 'acme', 'deploy');
    await expect(bumpEnvironment(backend, { ...opts('v9'), update: checkUpdate({ image: 'other', tag: 'v9' }) })).rejects.toThrow(/no images entry/);
    await expect(bumpEnvironment(backend, { ...opts('v9'), path: 'nope/kustomization.yaml' })).rejects.toThrow(/not found/);
    await expect(bumpEnvironment(backend, { ...opts('v9'), branch: 'no-such-branch' })).rejects.toThrow(/does not exist/);
    expect(await fake.resolve('acme/deploy', 'main')).toBe(head);
  });

  it('pr mode: one PR from bump/<env>/<app>, updated in place, also under concurrent bumps', async () => {
    await fake.createRepo('acme/prod-deploy', { files: { [PATH]: SEED } });
    const backend = new GithubBackend(octokit, 'acme', 'prod-deploy');
    const prs = prsFor('acme', 'prod-deploy');
    const first = await bumpEnvironment(backend, opts('v2.0.0', { env: 'production', mode: 'pr', version: 'v2.0.0', runUrl: 'https://github.com/acme/ml/actions/runs/1' }), prs);
    expect(first).toMatchObject({ changed: true, branch: 'bump/production/churn', base: 'main', prCreated: true });
    expect(git('acme/prod-deploy', 'show', `main:${PATH}`)).toContain('v0.0.0');
    const pr = fake.pulls('acme/prod-deploy')[0]!;
    expect(pr.body).toContain('`ghcr.io/acme/churn:v0.0.0`');
    expect(pr.body).toContain('`ghcr.io/acme/churn:v2.0.0`');
    expect(pr.body).toContain('https://github.com/acme/ml/actions/runs/1');

    const second = await bumpEnvironment(backend, opts('v2.0.1', { env: 'production', mode: 'pr', update: checkUpdate({ image: 'churn', newName: 'ghcr.io/acme/churn', tag: 'v2.0.1', digest: D }) }), prs);
    expect(second).toMatchObject({ changed: true, prUrl: first.prUrl, prCreated: false });
    expect(fake.pulls('acme/prod-deploy')).toHaveLength(1);
    expect(fake.pulls('acme/prod-deploy')[0]!.body).toContain(D);
    // "from" is what the base (the environment) runs, not the earlier bump on the PR branch.
    expect(fake.pulls('acme/prod-deploy')[0]!.body).toContain('| from | `ghcr.io/acme/churn:v0.0.0` |');

    const tags = Array.from({ length: 8 }, (_, i) => `v3.0.${i}`);
    const results = await Promise.all(tags.map((tag) => bumpEnvironment(backend, opts(tag, { env: 'production', mode: 'pr' }), prs)));
    expect(new Set(results.map((r) => r.prUrl))).toEqual(new Set([first.prUrl]));
    const pulls = fake.pulls('acme/prod-deploy');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.state).toBe('open');
    // Commits land on the PR branch one after another; the branch tip holds the value of its commit.
    const tip = (await fake.resolve('acme/prod-deploy', 'bump/production/churn'))!;
    const tipTag = tags[results.findIndex((r) => r.commit === tip)]!;
    expect(git('acme/prod-deploy', 'show', `${tip}:${PATH}`)).toContain(`newTag: "${tipTag}"`);
    expect(git('acme/prod-deploy', 'rev-list', `main..bump/production/churn`).split('\n')).toHaveLength(2 + tags.length);
    expect(fake.invalid).toEqual([]);
  }, 240_000);

  it('pr mode after the PR was merged starts the branch again from the base', async () => {
    const backend = new GithubBackend(octokit, 'acme', 'prod-deploy');
    const prs = prsFor('acme', 'prod-deploy');
    const pr = fake.pulls('acme/prod-deploy')[0]!;
    await octokit.rest.pulls.merge({ owner: 'acme', repo: 'prod-deploy', pull_number: pr.number });
    const r = await bumpEnvironment(backend, opts('v4.0.0', { env: 'production', mode: 'pr' }), prs);
    expect(r).toMatchObject({ changed: true, prCreated: true });
    expect(git('acme/prod-deploy', 'rev-list', 'main..bump/production/churn').split('\n')).toEqual([r.commit]);
    expect(fake.pulls('acme/prod-deploy').filter((p) => p.state === 'open')).toHaveLength(1);
    expect(fake.invalid).toEqual([]);
  });

  it('deployments: in_progress then success, earlier ones made inactive', async () => {
    await fake.createRepo('acme/ml', { files: { 'README.md': 'x\n' } });
    const sha = (await fake.resolve('acme/ml', 'main'))!;
    const a = await recordDeployment(octokit, { owner: 'acme', repo: 'ml', ref: sha, environment: 'dev', description: 'churn v1', logUrl: 'https://github.com/acme/ml/actions/runs/2' });
    await recordDeployment(octokit, { owner: 'acme', repo: 'ml', ref: sha, environment: 'dev', description: 'churn v2' });
    const deps = fake.deployments('acme/ml');
    expect(deps).toHaveLength(2);
    expect(deps[0]!.id).toBe(a.id);
    expect(deps[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect(deps[1]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deps[0]!.statuses[1]!.log_url).toBe('https://github.com/acme/ml/actions/runs/2');
    expect(deps[1]!.production_environment).toBe(false);
    expect(fake.invalid).toEqual([]);
  });
});
