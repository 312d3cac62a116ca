/**
 * dist/build-image run as the runner runs it (test/harness/runner.ts) against the real registry with
 * htpasswd auth: outputs, labels from the event, the masked password never in the log, clear failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../harness/runner.js';
import { startRegistry, type Registry } from '../harness/registry.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { inspect, skopeoPush, writeOciLayout } from './helpers.js';

const USER = { username: 'ci-bot', password: 'Sup3r-s3cret-pw' };
const CREDS = `${USER.username}:${USER.password}`;
let reg: Registry;
let ws: string;
let sha: string;

beforeAll(async () => {
  reg = await startRegistry({ auth: USER });
  const layout = await writeOciLayout(await makeTempDir('mlops-contract-layout-'), [{ architecture: 'amd64', files: { 'etc/os-release': 'ID=base\n' } }]);
  await skopeoPush(layout, 'base', `${reg.host}/base/python:3.12`, { creds: CREDS });
  // A checked-out workspace, as actions/checkout leaves it: the commit time comes from git.
  ws = await makeTempDir('mlops-contract-ws-');
  await mkdir(join(ws, 'app'));
  await writeFile(join(ws, 'app', 'serve.py'), 'print("ok")\n');
  await writeFile(join(ws, 'model.pkl'), 'weights');
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_COMMITTER_DATE: '2026-11-01T12:00:00Z', GIT_AUTHOR_DATE: '2026-11-01T12:00:00Z' };
  execFileSync('git', ['init', '-q', ws]);
  execFileSync('git', ['-C', ws, 'add', '.'], { env });
  execFileSync('git', ['-C', ws, 'commit', '-q', '-m', 'model'], { env });
  sha = execFileSync('git', ['-C', ws, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
});

afterAll(async () => {
  await reg?.stop();
  await cleanupTempDirs();
});

const inputs = () => ({
  mode: 'oci',
  image: `${reg.host}/acme/churn`,
  base: `${reg.host}/base/python:3.12`,
  add: 'app:/srv/app\nmodel.pkl:/models/',
  version: 'v1.4.0',
  labels: 'team=ml-platform\ndescription.note=has, commas',
  env: 'MODEL=/models/model.pkl',
  cmd: '["python", "/srv/app/serve.py"]',
  username: USER.username,
  password: USER.password,
  insecure: 'true',
});

describe('build-image action (dist)', () => {
  it('pushes and sets digest, image and tags; the password never reaches the log', async () => {
    const r = await runAction('build-image', {
      inputs: inputs(),
      workspace: ws,
      sha,
      event: { name: 'push', payload: { after: sha, repository: { full_name: 'acme/churn', html_url: 'https://github.com/acme/churn', description: 'Churn model', license: { spdx_id: 'MIT' } } } },
    });
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(r.outputs.image).toBe(`${reg.host}/acme/churn@${r.outputs.digest}`);
    expect(r.outputs.tags).toBe(`sha-${sha.slice(0, 7)},${sha},v1.4.0`);
    expect(r.masked).toContain(USER.password);
    expect(r.leaked(USER.password)).toBe(false);
    expect(r.summary).toContain(r.outputs.image);

    const info = await inspect(`${reg.host}/acme/churn:v1.4.0`, { creds: CREDS });
    expect(info.Digest).toBe(r.outputs.digest);
    expect(info.Labels).toMatchObject({
      team: 'ml-platform',
      'description.note': 'has, commas',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.created': '2026-11-01T12:00:00Z',
      'org.opencontainers.image.version': 'v1.4.0',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.source': 'https://github.com/acme/churn',
    });
    const cfg = (await inspect(`${reg.host}/acme/churn:v1.4.0`, { creds: CREDS, config: true })) as { config: { Env: string[]; Cmd: string[] } };
    expect(cfg.config.Env).toContain('MODEL=/models/model.pkl');
    expect(cfg.config.Cmd).toEqual(['python', '/srv/app/serve.py']);

    // A re-run of the same commit: same digest (reproducible), nothing uploaded.
    const again = await runAction('build-image', { inputs: inputs(), workspace: ws, sha, event: { name: 'push', payload: { after: sha, repository: { full_name: 'acme/churn', html_url: 'https://github.com/acme/churn', description: 'Churn model', license: { spdx_id: 'MIT' } } } } });
    expect(again.code).toBe(0);
    expect(again.outputs.digest).toBe(r.outputs.digest);
    expect(again.log).toMatch(/0 blobs uploaded/);

    // Promotion: re-tag that digest as the staging version.
    const promote = await runAction('build-image', {
      inputs: { source: r.outputs.image, tags: 'staging', version: 'v1.4.0-rc', username: USER.username, password: USER.password, insecure: 'true' },
      workspace: ws,
    });
    expect(promote.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(promote.outputs).toMatchObject({ digest: r.outputs.digest, image: r.outputs.image, tags: 'staging,v1.4.0-rc' });
    expect((await inspect(`${reg.host}/acme/churn:staging`, { creds: CREDS })).Digest).toBe(r.outputs.digest);
    expect(promote.leaked(USER.password)).toBe(false);
  });

  it('fails with one clear error annotation on a wrong password, without leaking it', async () => {
    const r = await runAction('build-image', { inputs: { ...inputs(), password: 'Wr0ng-passw0rd' }, workspace: ws, sha });
    expect(r.code).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(new RegExp(`${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "ci-bot".*check the registry username and password`));
    expect(r.leaked('Wr0ng-passw0rd')).toBe(false);
    expect(r.outputs.digest).toBeUndefined();
  });

  it('takes image name, base and add from mlops.yml when the inputs are empty', async () => {
    const proj = join(ws, 'project');
    await mkdir(join(proj, 'srv'), { recursive: true });
    await writeFile(join(proj, 'srv', 'api.py'), 'pass\n');
    await writeFile(
      join(proj, 'mlops.yml'),
      `artifact: churn\nimage:\n  name: ${reg.host}/acme/from-config\n  base: ${reg.host}/base/python:3.12\n  add: [srv]\n`,
    );
    const r = await runAction('build-image', {
      inputs: { 'working-directory': 'project', tags: 'cfg', username: USER.username, password: USER.password, insecure: 'true' },
      workspace: ws,
      sha,
    });
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.outputs.image).toBe(`${reg.host}/acme/from-config@${r.outputs.digest}`);
    expect(r.log).toMatch(/mode auto -> oci/);
    expect((await inspect(`${reg.host}/acme/from-config:cfg`, { creds: CREDS })).Layers).toHaveLength(2);
  });

  it('rejects a bad mode and a bad image name as input errors', async () => {
    const bad = await runAction('build-image', { inputs: { ...inputs(), mode: 'kaniko' }, workspace: ws, sha });
    expect(bad.code).toBe(1);
    expect(bad.annotations[0]!.message).toMatch(/mode must be auto, docker or oci/);
    const name = await runAction('build-image', { inputs: { ...inputs(), image: `${reg.host}/Acme/churn:latest` }, workspace: ws, sha });
    expect(name.code).toBe(1);
    expect(name.annotations[0]!.message).toMatch(/invalid image reference/);
  });
});
