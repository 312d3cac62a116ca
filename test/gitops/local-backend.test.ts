/**
 * The local git backend against a real bare remote: fast-forward pushes only, re-applied on a moved
 * branch, 20 concurrent bumps all landing as commits with the last one's value on top.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { LocalGitBackend } from '../../src/lib/git/worktree.js';
import { bumpEnvironment, type BumpOptions } from '../../src/lib/gitops/bump.js';
import { checkUpdate } from '../../src/lib/gitops/edit.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const SEED = `# dev overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base # shared
images:
  - name: churn   # model server
    newName: ghcr.io/acme/churn
    newTag: 'v0.0.0'
`;
const author = { name: 'bump-test', email: 'bump@test.invalid' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'seed', GIT_AUTHOR_EMAIL: 's@t', GIT_COMMITTER_NAME: 'seed', GIT_COMMITTER_EMAIL: 's@t' } }).trim();

let root: string;
let remote: string;
let seedCommit: string;

async function clone(name: string): Promise<string> {
  const dir = join(root, name);
  g(root, 'clone', '-q', remote, dir);
  return dir;
}

const opts = (tag: string, extra: Partial<BumpOptions> = {}): BumpOptions => ({
  env: 'dev',
  path: 'overlays/dev/kustomization.yaml',
  format: 'kustomize',
  update: checkUpdate({ image: 'churn', newName: 'ghcr.io/acme/churn', tag }),
  mode: 'direct',
  branch: 'main',
  ...extra,
});

beforeAll(async () => {
  root = await makeTempDir('gitops-local-');
  remote = join(root, 'remote.git');
  g(root, 'init', '-q', '--bare', '-b', 'main', remote);
  const seed = join(root, 'seed');
  g(root, 'init', '-q', '-b', 'main', seed);
  execFileSync('mkdir', ['-p', join(seed, 'overlays/dev')]);
  execFileSync('tee', [join(seed, 'overlays/dev/kustomization.yaml')], { input: SEED, stdio: ['pipe', 'ignore', 'inherit'] });
  g(seed, 'add', '.');
  g(seed, 'commit', '-q', '-m', 'seed');
  g(seed, 'push', '-q', remote, 'main');
  seedCommit = g(seed, 'rev-parse', 'HEAD');
});

afterAll(cleanupTempDirs);

describe('local git backend', () => {
  it('20 concurrent bumps: every one is a commit, linear history, the last commit holds its value', async () => {
    const shared = await clone('shared');
    const tags = Array.from({ length: 20 }, (_, i) => `v1.0.${i + 1}`);
    const results = await Promise.all(
      tags.map(async (tag, i) => {
        const repoDir = i % 2 === 0 ? shared : await clone(`own-${i}`);
        const backend = new LocalGitBackend({ repoDir, remote: 'origin', author });
        return bumpEnvironment(backend, opts(tag));
      }),
    );
    expect(results.every((r) => r.changed)).toBe(true);
    const head = g(remote, 'rev-parse', 'main');
    const history = g(remote, 'rev-list', '--first-parent', `${seedCommit}..main`).split('\n');
    expect(history).toHaveLength(20);
    expect(new Set(results.map((r) => r.commit))).toEqual(new Set(history));
    // Fast-forward only: every commit has one parent, the previous one.
    expect(g(remote, 'rev-list', '--min-parents=2', `${seedCommit}..main`)).toBe('');
    // Each commit sets its own tag, and the file at the tip has the tag of the last commit.
    const tagAt = (c: string) => /newTag: '([^']+)'/.exec(g(remote, 'show', `${c}:overlays/dev/kustomization.yaml`))![1];
    const byCommit = new Map(results.map((r, i) => [r.commit!, tags[i]!]));
    for (const c of history) expect(tagAt(c)).toBe(byCommit.get(c));
    expect(tagAt(head)).toBe(byCommit.get(head));
    expect(g(remote, 'show', `${head}:overlays/dev/kustomization.yaml`)).toBe(SEED.replace("'v0.0.0'", `'${byCommit.get(head)}'`).trimEnd());
    // Nothing left behind in the shared clone.
    expect(g(shared, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(g(shared, 'for-each-ref', 'refs/mlops/')).toBe('');
  }, 180_000);

  it('same image again: changed=false and no commit', async () => {
    const dir = await clone('again');
    const backend = new LocalGitBackend({ repoDir: dir, remote: 'origin', author });
    const before = g(remote, 'rev-parse', 'main');
    const tag = /newTag: '([^']+)'/.exec(g(remote, 'show', 'main:overlays/dev/kustomization.yaml'))![1]!;
    const r = await bumpEnvironment(backend, opts(tag));
    expect(r).toMatchObject({ changed: false, commit: before });
    expect(g(remote, 'rev-parse', 'main')).toBe(before);
  });

  it('bad input (no such image entry) commits nothing and leaves no worktree', async () => {
    const dir = await clone('bad');
    const backend = new LocalGitBackend({ repoDir: dir, remote: 'origin', author });
    const before = g(remote, 'rev-parse', 'main');
    await expect(bumpEnvironment(backend, { ...opts('v9'), update: checkUpdate({ image: 'nope', tag: 'v9' }) })).rejects.toThrow(UserError);
    await expect(bumpEnvironment(backend, { ...opts('v9'), path: 'overlays/prod/kustomization.yaml' })).rejects.toThrow(/not found/);
    expect(g(remote, 'rev-parse', 'main')).toBe(before);
    expect(g(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('pr mode pushes bump/<env>/<app> from the base and updates it in place; the base is untouched', async () => {
    const dir = await clone('pr');
    const backend = new LocalGitBackend({ repoDir: dir, remote: 'origin', author });
    const main = g(remote, 'rev-parse', 'main');
    const a = await bumpEnvironment(backend, opts('v2.0.0', { mode: 'pr', env: 'production', branch: 'main' }));
    const b = await bumpEnvironment(backend, opts('v2.0.1', { mode: 'pr', env: 'production', branch: 'main' }));
    expect(a.branch).toBe('bump/production/churn');
    expect(g(remote, 'rev-parse', 'main')).toBe(main);
    expect(g(remote, 'rev-list', `main..${a.branch}`).split('\n')).toEqual([b.commit, a.commit]);
    expect(g(remote, 'show', `${a.branch}:overlays/dev/kustomization.yaml`)).toContain("newTag: 'v2.0.1'");
  });

  it('without a remote: compare-and-swap on the local branch', async () => {
    const dir = await clone('noremote');
    const backend = new LocalGitBackend({ repoDir: dir, author });
    const r = await bumpEnvironment(backend, opts('v3.0.0'));
    expect(r.changed).toBe(true);
    expect(g(dir, 'rev-parse', 'refs/heads/main')).toBe(r.commit);
    expect(g(dir, 'show', 'main:overlays/dev/kustomization.yaml')).toContain("newTag: 'v3.0.0'");
  });
});
