import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetUrl, hostAssets } from '../../src/lib/github/assets.js';
import { createOctokit, type Octokit } from '../../src/lib/github/octokit.js';
import { silentLogger } from '../../src/lib/log.js';
import { startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { solidPng } from './fixtures.js';

const R = 'acme/ml';
const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
let fake: GitHubFake;
let gh: Octokit;

const files = (color: [number, number, number]) => [
  { name: 'ROC.png', content: solidPng(8, 8, color) },
  { name: 'ROC.svg', content: '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>' },
];

async function git(...args: string[]): Promise<string> {
  return fake.repo(R).git.out(args);
}

beforeAll(async () => {
  fake = await startGitHubFake();
  gh = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger });
  await fake.createRepo(R, { private: true, files: { 'README.md': '# ml\n' } });
  fake.addToken('read-only', { contents: 'read', pull_requests: 'write', issues: 'write' });
});

afterAll(async () => {
  await fake.close();
});

describe('report images on an orphan branch', () => {
  let first: string;

  it('creates the orphan branch and commits the files under <pr>/<sha>/, linked by commit-pinned URLs', async () => {
    const res = await hostAssets(gh, { owner: 'acme', repo: 'ml', pr: 7, sha: SHA1, files: files([1, 2, 3]), serverUrl: fake.serverUrl });
    expect(res.kind).toBe('hosted');
    if (res.kind !== 'hosted') return;
    first = res.commit;
    expect(res).toMatchObject({ branch: 'mlops-assets', changed: true });
    expect(await fake.resolve(R, 'refs/heads/mlops-assets')).toBe(res.commit);
    // Orphan: no parent, nothing from main in its tree.
    expect((await git('rev-list', '--parents', '-n', '1', res.commit)).trim()).toBe(res.commit);
    expect((await git('ls-tree', '-r', '--name-only', res.commit)).trim().split('\n')).toEqual([`7/${SHA1}/ROC.png`, `7/${SHA1}/ROC.svg`]);
    expect(res.urls['ROC.png']).toBe(`https://github.com/acme/ml/blob/${res.commit}/7/${SHA1}/ROC.png?raw=true`);
    expect(fake.invalid).toEqual([]);
  });

  it('a second run reuses the branch and moves it forward without force', async () => {
    fake.clearLog();
    const res = await hostAssets(gh, { owner: 'acme', repo: 'ml', pr: 7, sha: SHA2, files: files([9, 9, 9]), serverUrl: fake.serverUrl });
    expect(res.kind).toBe('hosted');
    if (res.kind !== 'hosted') return;
    expect(res.changed).toBe(true);
    expect((await git('rev-list', '--parents', '-n', '1', res.commit)).trim()).toBe(`${res.commit} ${first}`);
    const updates = fake.requests.filter((r) => r.operationId === 'git/update-ref');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toMatchObject({ force: false });
    expect(fake.requests.some((r) => r.operationId === 'git/create-ref')).toBe(false);
    const tree = (await git('ls-tree', '-r', '--name-only', res.commit)).trim().split('\n');
    expect(tree).toEqual([`7/${SHA1}/ROC.png`, `7/${SHA1}/ROC.svg`, `7/${SHA2}/ROC.png`, `7/${SHA2}/ROC.svg`]);
  });

  it('a re-run with identical files commits nothing and links the same commit', async () => {
    const head = await fake.resolve(R, 'refs/heads/mlops-assets');
    const res = await hostAssets(gh, { owner: 'acme', repo: 'ml', pr: 7, sha: SHA2, files: files([9, 9, 9]), serverUrl: fake.serverUrl });
    expect(res).toMatchObject({ kind: 'hosted', changed: false, commit: head });
  });

  it('when another job moves the branch mid-write, re-reads and retries, keeping both', async () => {
    const before = await fake.resolve(R, 'refs/heads/mlops-assets');
    fake.clearLog();
    fake.fault({ operationId: 'git/create-commit', delayMs: 400 });
    const pending = hostAssets(gh, { owner: 'acme', repo: 'ml', pr: 8, sha: SHA1, files: files([5, 5, 5]), serverUrl: fake.serverUrl });
    while (!fake.requests.some((r) => r.operationId === 'git/create-tree')) await new Promise((r) => setTimeout(r, 10));
    const other = await fake.commit(R, 'mlops-assets', { '9/other.png': 'x' }, 'another job');
    const res = await pending;
    expect(res.kind).toBe('hosted');
    if (res.kind !== 'hosted') return;
    expect((await git('rev-list', '--parents', '-n', '1', res.commit)).trim()).toBe(`${res.commit} ${other}`);
    expect((await git('rev-list', '--count', `${before}..${res.commit}`)).trim()).toBe('2');
    const tree = await git('ls-tree', '-r', '--name-only', res.commit);
    expect(tree).toContain('9/other.png');
    expect(tree).toContain(`8/${SHA1}/ROC.png`);
    const updates = fake.requests.filter((r) => r.operationId === 'git/update-ref');
    expect(updates[0]!.status).toBe(422);
    expect(updates[updates.length - 1]!.status).toBe(200);
    expect(updates.every((u) => (u.body as { force: boolean }).force === false)).toBe(true);
  });

  it('a token without contents: write (fork PR) gets a fallback signal, not a crash', async () => {
    const ro = createOctokit({ token: 'read-only', baseUrl: fake.url, pacing: false, logger: silentLogger });
    const head = await fake.resolve(R, 'refs/heads/mlops-assets');
    const res = await hostAssets(ro, { owner: 'acme', repo: 'ml', pr: 9, sha: SHA1, files: files([1, 1, 1]) });
    expect(res).toMatchObject({ kind: 'forbidden', status: 403 });
    if (res.kind === 'forbidden') expect(res.message).toMatch(/contents: write/);
    expect(await fake.resolve(R, 'refs/heads/mlops-assets')).toBe(head);
  });

  it('encodes path segments and honours GITHUB_SERVER_URL-style bases (GHES)', () => {
    expect(assetUrl('https://ghe.example.com/', 'o', 'r', 'c0ffee', '7/abc/Precision Recall#1.png')).toBe(
      'https://ghe.example.com/o/r/blob/c0ffee/7/abc/Precision%20Recall%231.png?raw=true',
    );
  });
});
