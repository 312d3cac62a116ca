/**
 * The promotion PR on the GitHub API fake: opened once with its evidence, updated in place by a newer
 * version, closed by a rollback and by an empty diff, summarised when the range is long, clear on
 * permission errors. The `mlops promotion-pr` bundle is run as the composite action runs it.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/config.js';
import { UserError } from '../../src/lib/errors.js';
import { git } from '../../src/lib/git/cli.js';
import { createOctokit, type Octokit } from '../../src/lib/github/octokit.js';
import { silentLogger } from '../../src/lib/log.js';
import { PROMOTION_MARKER, syncPromotionPr } from '../../src/lib/promotion-pr.js';
import { GitHubTagBackend, promoteVersion, registerVersion } from '../../src/lib/registry/index.js';
import { startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { repoRoot } from '../harness/runner.js';
import { makeTempDir, removeTempDir } from '../harness/tmp.js';

const REPO = 'acme/churn';
const [owner, repo] = REPO.split('/') as [string, string];
const MLOPS = `artifact: churn
metrics: [eval/metrics.json]
environments:
  staging: { path: deploy/staging/kustomization.yaml }
  production: { path: deploy/prod/kustomization.yaml }
`;
const config = parseConfig(MLOPS);
const metrics = (auc: number) => JSON.stringify({ test: { roc_auc: auc, avg_prec: auc - 0.1 } });

let fake: GitHubFake;
let octokit: Octokit;
let checkout: string;
let c0: string;

async function refresh() {
  await git(['fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*'], { cwd: checkout });
}

async function sync(into: string, extra: Partial<Parameters<typeof syncPromotionPr>[0]> = {}) {
  await refresh();
  return syncPromotionPr({ octokit, owner, repo, config, into, cwd: checkout, serverUrl: fake.serverUrl, runUrl: 'https://github.com/acme/churn/actions/runs/1', logger: silentLogger, ...extra });
}

const backend = () => new GitHubTagBackend(octokit, { owner, repo });
async function registerAndAssign(ref: string, stage = 'dev') {
  const reg = await registerVersion(backend(), { artifact: 'churn', ref, audit: { imageDigest: `sha256:${'ab'.repeat(32)}` } });
  await promoteVersion(backend(), { artifact: 'churn', stage, flow: config, version: reg.version });
  return reg.version;
}

async function setRef(branch: string, sha: string, create = false) {
  if (create) await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
  else await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true });
}

beforeAll(async () => {
  fake = await startGitHubFake();
  octokit = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, retries: 0 });
  await fake.createRepo(REPO, { files: { 'mlops.yml': MLOPS, 'eval/metrics.json': metrics(0.8) }, message: 'initial' });
  c0 = (await fake.resolve(REPO, 'main'))!;
  await setRef('staging', c0, true);
  await setRef('production', c0, true);
  checkout = await makeTempDir('promotion-pr-');
  await git(['clone', '--quiet', fake.repoPath(REPO), checkout], { cwd: tmpdir() });
});

afterAll(async () => {
  await fake?.close();
  if (checkout) await removeTempDir(checkout);
});

describe('promotion PR', () => {
  let first: number | undefined;

  it('opens one PR with the evidence after the first dev version', async () => {
    const c1 = await fake.commit(REPO, 'main', { 'eval/metrics.json': metrics(0.85) }, 'Better model (#7)');
    const v = await registerAndAssign(c1);
    expect(v).toBe('v0.0.1');
    const r = await sync('staging');
    expect(r.action).toBe('opened');
    first = r.number;
    const pr = fake.pulls(REPO).find((p) => p.number === r.number)!;
    expect(pr.title).toBe('Promote churn v0.0.1 to staging');
    expect(pr.labels).toContain('promotion');
    const body = pr.body ?? '';
    expect(body.startsWith(PROMOTION_MARKER)).toBe(true);
    for (const section of ['### What merging does', '### Changes', 'Metrics: v0.0.1 vs staging (empty)', `sha256:${'ab'.repeat(32)}`, '#7']) {
      expect(body).toContain(section);
    }
    expect(body).toMatch(/\| test\.roc_auc \|/);
    expect(fake.invalid).toEqual([]);
  });

  it('updates the same PR in place when a newer version reaches dev', async () => {
    const c2 = await fake.commit(REPO, 'main', { 'eval/metrics.json': metrics(0.9) }, 'Merge pull request #8 from acme/exp');
    expect(await registerAndAssign(c2)).toBe('v0.0.2');
    const r = await sync('staging');
    expect(r.action).toBe('updated');
    expect(r.number).toBe(first);
    const open = fake.pulls(REPO).filter((p) => p.state === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]!.title).toBe('Promote churn v0.0.2 to staging');
    expect(fake.comments(REPO, first!).at(-1)?.body).toContain('Updated to churn v0.0.2 (was v0.0.1)');
    // A re-run with nothing new writes the same PR again, never a second one.
    expect((await sync('staging')).number).toBe(first);
    expect(fake.pulls(REPO)).toHaveLength(1);
  });

  it('closes the PR with a comment when dev is rolled back', async () => {
    await promoteVersion(backend(), { artifact: 'churn', stage: 'dev', flow: config, rollback: true });
    const r = await sync('staging');
    expect(r.action).toBe('closed');
    expect(r.reason).toContain('v0.0.2 was rolled back in dev');
    const pr = fake.pulls(REPO).find((p) => p.number === first)!;
    expect(pr.state).toBe('closed');
    expect(fake.comments(REPO, first!).at(-1)?.body).toContain('rolled back');
  });

  it('closes the PR when the branches have no difference', async () => {
    const reopened = await sync('staging');
    expect(reopened.action).toBe('opened');
    await setRef('staging', (await fake.resolve(REPO, 'main'))!);
    const r = await sync('staging');
    expect(r.action).toBe('closed');
    expect(r.reason).toContain('no difference');
    expect(fake.pulls(REPO).filter((p) => p.state === 'open')).toHaveLength(0);
  });

  it('closes as superseded when the target already holds the version', async () => {
    await promoteVersion(backend(), { artifact: 'churn', stage: 'staging', flow: config, version: 'v0.0.1' });
    await setRef('staging', c0);
    const r = await sync('staging');
    expect(r.action).toBe('none');
    expect(r.reason).toContain('staging already holds churn v0.0.1');
  });

  it('refuses a branch that is not a later stage, naming it', async () => {
    await expect(sync('main')).rejects.toThrow(/first stage/);
    await expect(sync('release')).rejects.toThrow(/not a stage branch/);
  });

  it('summarises a range of 200 commits and stays under the body limit; dry run writes nothing', async () => {
    await refresh();
    await git(['checkout', '--quiet', '-B', 'many', 'origin/staging'], { cwd: checkout });
    const id = ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com'];
    for (let i = 0; i < 200; i++) {
      await git([...id, 'commit', '--quiet', '--allow-empty', '-m', `Merge pull request #${100 + i} from acme/exp-${i}`], { cwd: checkout });
    }
    await git(['push', '--quiet', 'origin', 'many:staging'], { cwd: checkout });
    const before = fake.requests.filter((q) => q.method !== 'GET').length;
    const r = await sync('production', { dryRun: true });
    expect(fake.requests.filter((q) => q.method !== 'GET').length).toBe(before);
    expect(r.action).toBe('opened');
    expect(r.title).toBe('Promote churn v0.0.1 to production');
    expect(r.body!.length).toBeLessThan(65_536);
    expect(r.body).toMatch(/\[20\d commits\]/);
    expect(r.body).toContain('older commits');
    expect(r.body).toContain('#299');
    expect(r.body).toContain('through a pull request for review');
  });

  it('says which permission is missing on a read-only token', async () => {
    fake.addToken('read-only', { contents: 'read', issues: 'read', pull_requests: 'read' });
    const ro = createOctokit({ token: 'read-only', baseUrl: fake.url, pacing: false, retries: 0 });
    const err = await sync('production', { octokit: ro }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/pull-requests: write/);
    expect(fake.pulls(REPO).filter((p) => p.state === 'open')).toHaveLength(0);
  });

  it('runs as the bundled CLI the composite action calls', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(repoRoot, 'dist/cli/index.js'), 'promotion-pr', '--into', 'production', '--json'], {
        cwd: checkout,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GITHUB_TOKEN: 'test-token',
          GITHUB_REPOSITORY: REPO,
          GITHUB_API_URL: fake.url,
          GITHUB_SERVER_URL: fake.serverUrl,
          MLOPS_GITHUB_PACING: 'false',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    expect(out.stderr).not.toContain('test-token');
    expect(out.code, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as { action: string; url: string; number: number };
    expect(json.action).toBe('opened');
    expect(json.url).toMatch(/\/pull\/\d+$/);
    expect(fake.pulls(REPO).find((p) => p.number === json.number)?.pull?.baseRef).toBe('production');
    expect(fake.invalid).toEqual([]);
  });
});
