/** `mlops image push|retag` (the command over src/lib) against the real registry with auth. */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { image } from '../../src/cli/commands/image.js';
import { isUserError } from '../../src/lib/errors.js';
import { redactSecrets } from '../../src/lib/log.js';
import { startRegistry, type Registry } from '../harness/registry.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { inspect, skopeoPush, writeOciLayout } from './helpers.js';

const USER = { username: 'dev', password: 'cli-pass-123' };
const CREDS = `${USER.username}:${USER.password}`;
let reg: Registry;
let repo: string;
let sha: string;

/**
 * Run `mlops image ...` in this process (spawning tsx costs seconds per call): the command's run() with
 * cwd and env as a shell would give them, stdout captured, a UserError reported as the CLI prints it.
 */
async function mlops(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { cwd: process.cwd(), env: { ...process.env }, write: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let stdout = '';
  let stderr = '';
  process.chdir(repo);
  Object.assign(process.env, { DOCKER_CONFIG: join(repo, '.no-docker'), ...env });
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const [name, ...rest] = args;
    expect(name).toBe(image.name);
    const code = await image.run(rest);
    return { code, stdout, stderr };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { code: 1, stdout, stderr: stderr + `mlops: ${redactSecrets(e.describe())}\n` };
  } finally {
    process.stdout.write = saved.write;
    process.stderr.write = saved.err;
    process.chdir(saved.cwd);
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
  }
}

beforeAll(async () => {
  reg = await startRegistry({ auth: USER });
  const layout = await writeOciLayout(await makeTempDir('mlops-cli-layout-'), [{ architecture: 'amd64', files: { 'etc/os-release': 'ID=cli\n' } }]);
  await skopeoPush(layout, 'base', `${reg.host}/base/os:1`, { creds: CREDS });
  repo = await makeTempDir('mlops-cli-repo-');
  await mkdir(join(repo, 'app'));
  await writeFile(join(repo, 'app', 'main.py'), 'print(2)\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_COMMITTER_DATE: '2026-10-10T10:10:10Z' };
  execFileSync('git', ['init', '-q', repo]);
  execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'git@github.com:acme/churn.git']);
  execFileSync('git', ['-C', repo, 'add', '.'], { env });
  execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'x'], { env });
  sha = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
});

afterAll(async () => {
  await reg?.stop();
  await cleanupTempDirs();
});

describe('mlops image', () => {
  it('push --json with env credentials, default tags from HEAD, labels from the commit; then retag', async () => {
    const env = { MLOPS_REGISTRY_USERNAME: USER.username, MLOPS_REGISTRY_PASSWORD: USER.password };
    const r = await mlops(['image', 'push', '--to', `${reg.host}/acme/cli`, '--base', `${reg.host}/base/os:1`, '--add', 'app:/srv/app', '--label', 'k=v', '--insecure', '--json'], env);
    expect(r.stderr).not.toContain(USER.password);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { digest: string; image: string; tags: string[] };
    expect(out.tags).toEqual([`sha-${sha.slice(0, 7)}`, sha]);
    expect(out.image).toBe(`${reg.host}/acme/cli@${out.digest}`);
    const info = await inspect(`${reg.host}/acme/cli:sha-${sha.slice(0, 7)}`, { creds: CREDS });
    expect(info.Digest).toBe(out.digest);
    expect(info.Labels).toMatchObject({
      k: 'v',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.created': '2026-10-10T10:10:10Z',
      'org.opencontainers.image.source': 'https://github.com/acme/churn',
    });

    const t = await mlops(['image', 'retag', out.image, '--tag', 'prod', '--tag', 'v9.9.9', '--insecure'], env);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.trim()).toBe(out.image);
    expect((await inspect(`${reg.host}/acme/cli:prod`, { creds: CREDS })).Digest).toBe(out.digest);
  });

  it('explains missing flags and wrong credentials', async () => {
    const noBase = await mlops(['image', 'push', '--to', `${reg.host}/acme/cli`, '--add', 'app', '--insecure']);
    expect(noBase.code).toBe(1);
    expect(noBase.stderr).toMatch(/--base <ref> \(or --base scratch\) is required/);
    const wrong = await mlops(['image', 'push', '--to', `${reg.host}/acme/cli`, '--base', 'scratch', '--add', 'app', '--tag', 'x', '--insecure'], {
      MLOPS_REGISTRY_USERNAME: 'dev',
      MLOPS_REGISTRY_PASSWORD: 'not-it-at-all',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/rejected the credentials of user "dev"/);
    expect(wrong.stderr).not.toContain('not-it-at-all');
    const noDigest = await mlops(['image', 'retag', `${reg.host}/acme/cli:prod`, '--tag', 'y', '--insecure']);
    expect(noDigest.stderr).toMatch(/give the image by digest/);
  });
});
