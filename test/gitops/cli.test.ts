/** `mlops bump` as a user runs it: in place, --commit, --env from mlops.yml, --push through a worktree. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bump } from '../../src/cli/commands/bump.js';
import { isUserError } from '../../src/lib/errors.js';
import { repoRoot } from '../harness/runner.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const run = promisify(execFile);
const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const g = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const D = `sha256:${'f'.repeat(64)}`;
const K = 'images:\n  - name: churn # app\n    newTag: "v1"\n';

/** The real CLI entry (dispatcher included), as a user runs it. */
async function spawnMlops(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'src/cli/index.ts'), ...args], { cwd, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * The `bump` command in this process (a spawned tsx costs seconds a call on two cores): stdout
 * captured, a UserError turned into exit 1 and `mlops: <file>:<line>: <message>` as the CLI prints it.
 */
async function mlops(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = args;
  expect(name).toBe('bump');
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    const code = await bump.run(rest);
    return { code, stdout: out.join(''), stderr: '' };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { code: 1, stdout: out.join(''), stderr: `mlops: ${e.describe()}\n` };
  } finally {
    process.chdir(prev);
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

let repo: string;
let remote: string;

beforeAll(async () => {
  const root = await makeTempDir('bump-cli-');
  remote = join(root, 'remote.git');
  g(root, 'init', '-q', '--bare', '-b', 'main', remote);
  repo = join(root, 'work');
  g(root, 'clone', '-q', remote, repo);
  mkdirSync(join(repo, 'deploy/dev'), { recursive: true });
  writeFileSync(join(repo, 'k.yaml'), K);
  writeFileSync(join(repo, 'deploy/dev/kustomization.yaml'), K);
  writeFileSync(join(repo, 'mlops.yml'), 'artifact: churn\nimage: { name: ghcr.io/acme/churn }\nenvironments:\n  dev: { path: deploy/dev/kustomization.yaml, image_name: churn }\n');
  g(repo, 'add', '.');
  g(repo, 'commit', '-q', '-m', 'seed');
  g(repo, 'push', '-q', 'origin', 'main');
});

afterAll(cleanupTempDirs);

describe('mlops bump', () => {
  it('edits in place and prints changed, then unchanged', async () => {
    const a = await spawnMlops(repo, 'bump', 'k.yaml', '--format', 'kustomize', '--image', 'churn', '--tag', 'v2', '--digest', D);
    expect(a).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(readFileSync(join(repo, 'k.yaml'), 'utf8')).toBe(`images:\n  - name: churn # app\n    newTag: "v2"\n    digest: ${D}\n`);
    const b = await mlops(repo, 'bump', 'k.yaml', '--format', 'kustomize', '--image', 'churn', '--tag', 'v2', '--digest', D);
    expect(b).toMatchObject({ code: 0, stdout: 'unchanged\n' });
    g(repo, 'checkout', '-q', '--', 'k.yaml');
  }, 90_000);

  it('--commit commits only that file; refuses a file with uncommitted changes', async () => {
    const r = await mlops(repo, 'bump', 'k.yaml', '--format', 'kustomize', '--image', 'churn', '--tag', 'v3', '--commit');
    expect(r).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(g(repo, 'log', '-1', '--format=%s')).toBe('deploy(local): churn v3');
    expect(g(repo, 'status', '--porcelain')).toBe('');
    writeFileSync(join(repo, 'k.yaml'), K + '# local edit\n');
    const dirty = await mlops(repo, 'bump', 'k.yaml', '--format', 'kustomize', '--image', 'churn', '--tag', 'v4', '--commit');
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('uncommitted changes');
    g(repo, 'checkout', '-q', '--', 'k.yaml');
  }, 90_000);

  it('--env takes file, format and image name from mlops.yml; --push commits on the remote branch', async () => {
    const r = await mlops(repo, 'bump', '--env', 'dev', '--tag', 'v5', '--push');
    expect(r).toMatchObject({ code: 0, stdout: 'changed\n' });
    expect(g(remote, 'show', 'main:deploy/dev/kustomization.yaml')).toBe('images:\n  - name: churn # app\n    newTag: "v5"\n    newName: ghcr.io/acme/churn');
    expect(g(repo, 'status', '--porcelain')).toBe('');
  }, 90_000);

  it('bad input: clear error, exit 1, file untouched', async () => {
    const before = readFileSync(join(repo, 'k.yaml'), 'utf8');
    const missing = await spawnMlops(repo, 'bump', 'nope.yaml', '--format', 'kustomize', '--image', 'churn', '--tag', 'v2');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml not found');
    const noEntry = await mlops(repo, 'bump', 'k.yaml', '--format', 'kustomize', '--image', 'other', '--tag', 'v2');
    expect(noEntry.code).toBe(1);
    expect(noEntry.stderr).toMatch(/k\.yaml:2: .*no images entry with name "other"/);
    const badFormat = await mlops(repo, 'bump', 'k.yaml', '--format', 'jsonnet', '--image', 'churn', '--tag', 'v2');
    expect(badFormat.code).toBe(1);
    expect(readFileSync(join(repo, 'k.yaml'), 'utf8')).toBe(before);
  }, 90_000);
});
