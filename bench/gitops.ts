/**
 * GitOps bumps under contention: 20 concurrent bumps of one kustomization, each a fast-forward commit,
 * on a local bare remote (worktree backend) and on the GitHub API fake (git data API backend).
 * Baseline: the same 20 bumps one after another, the cost with no contention at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalGitBackend } from '../src/lib/git/worktree.js';
import { createOctokit } from '../src/lib/github/octokit.js';
import type { GitopsBackend } from '../src/lib/gitops/backend.js';
import { bumpEnvironment } from '../src/lib/gitops/bump.js';
import { checkUpdate } from '../src/lib/gitops/edit.js';
import { GithubBackend } from '../src/lib/gitops/github-backend.js';
import { startGitHubFake } from '../test/harness/github-fake/index.js';
import { makeTempDir, removeTempDir } from '../test/harness/tmp.js';
import type { BenchRow } from './types.js';

const N = 20;
const PATH = 'overlays/dev/kustomization.yaml';
const SEED = 'images:\n  - name: churn # model\n    newName: ghcr.io/acme/churn\n    newTag: v0.0.0\n';
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function bumps(backend: GitopsBackend, prefix: string, concurrent: boolean): Promise<number> {
  const one = (i: number) =>
    bumpEnvironment(backend, { env: 'dev', path: PATH, format: 'kustomize', mode: 'direct', branch: 'main', update: checkUpdate({ image: 'churn', newName: 'ghcr.io/acme/churn', tag: `${prefix}.${i}` }) });
  const t = performance.now();
  if (concurrent) await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
  else for (let i = 0; i < N; i++) await one(i);
  return performance.now() - t;
}

function row(what: string, concurrent: number, serial: number): BenchRow {
  return { what, figure: secs(concurrent), baseline: `${secs(serial)} (20 one after another)`, ratio: `${(concurrent / serial).toFixed(2)}x` };
}

async function local(): Promise<BenchRow> {
  const root = await makeTempDir('bench-gitops-');
  try {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
    const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, stdio: 'ignore' });
    const remote = join(root, 'remote.git');
    g(root, 'init', '-q', '--bare', '-b', 'main', remote);
    const seed = join(root, 'seed');
    g(root, 'init', '-q', '-b', 'main', seed);
    mkdirSync(join(seed, 'overlays/dev'), { recursive: true });
    writeFileSync(join(seed, PATH), SEED);
    g(seed, 'add', '.');
    g(seed, 'commit', '-q', '-m', 'seed');
    g(seed, 'push', '-q', remote, 'main');
    const clone = join(root, 'clone');
    g(root, 'clone', '-q', remote, clone);
    const backend = new LocalGitBackend({ repoDir: clone, remote: 'origin', author: { name: 'bench', email: 'bench@example.invalid' } });
    const serial = await bumps(backend, 'v1', false);
    const concurrent = await bumps(backend, 'v2', true);
    return row('20 concurrent bumps, local bare remote (worktree, ff push)', concurrent, serial);
  } finally {
    await removeTempDir(root);
  }
}

async function api(): Promise<BenchRow> {
  const fake = await startGitHubFake();
  try {
    await fake.createRepo('acme/deploy', { files: { [PATH]: SEED } });
    const backend = new GithubBackend(createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false }), 'acme', 'deploy');
    const serial = await bumps(backend, 'v1', false);
    const concurrent = await bumps(backend, 'v2', true);
    return row('20 concurrent bumps, GitHub API fake (git data CAS)', concurrent, serial);
  } finally {
    await fake.close();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  return [await local(), await api()];
}
