/**
 * Pull over the network from real servers on 127.0.0.1: an HTTP remote (basic auth, custom header,
 * faults) and an S3-compatible server (s3rver, SigV4-checked). Fixtures come from the Python reference.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pull } from '../../src/lib/dvc/pull.js';
import { UserError } from '../../src/lib/errors.js';
import { redactSecrets } from '../../src/lib/log.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { type FixtureReport, writeDvcFixture } from '../fixtures/dvc-repo.js';
import { captureLogger, pyHashes, snapshot } from './helpers.js';
import { type HttpRemote, startHttpRemote } from './http-remote.js';

const PASSWORD = 'hunter2-very-secret';
let remoteDir: string;
let report: FixtureReport;
let basic: HttpRemote;
let header: HttpRemote;

/** A fresh workspace with the same outs, whose config points at `url` (+ config.local). */
async function workspace(url: string, local = '', extra = ''): Promise<string> {
  const root = await makeTempDir('mlops-dvc-ws-');
  writeDvcFixture({ root, remotes: { web: { dir: await makeTempDir() } }, config: `[core]\n    remote = web\n['remote "web"']\n    url = ${url}\n${extra}`, config_local: local, dvcfiles: spec });
  return root;
}

const spec = [
  { file: 'data.dvc', outs: [{ path: 'data', files: { 'a.txt': { text: 'alpha\n' }, 'nested/b.bin': { b64: Buffer.from([0, 1, 13, 10]).toString('base64') }, 'é.txt': { text: 'e' } } }] },
  { file: 'big.bin.dvc', outs: [{ path: 'big.bin', content: { repeat: 'x'.repeat(1023) + '\n', times: 3 * 1024 } }] },
];

function expectPulled(root: string) {
  const paths = Object.keys(report.files).sort();
  const contents = paths.map((p) => readFileSync(join(root, p)));
  expect(pyHashes(contents)).toEqual(paths.map((p) => report.files[p]!.md5));
}

function objectPath(path: string): string {
  const md5 = report.files[path]!.md5;
  return `/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}

beforeAll(async () => {
  remoteDir = await makeTempDir('mlops-dvc-remote-');
  report = writeDvcFixture({ root: await makeTempDir(), remotes: { web: { dir: remoteDir } }, dvcfiles: spec });
  basic = await startHttpRemote(remoteDir, { basic: { user: 'alice', password: PASSWORD } });
  header = await startHttpRemote(remoteDir, { header: { name: 'X-Api-Key', value: PASSWORD } });
});

afterAll(async () => {
  await basic?.close();
  await header?.close();
  await cleanupTempDirs();
});

describe('http remote', () => {
  it('pulls with basic auth from config.local and never logs the password', async () => {
    const root = await workspace(`${basic.url}/`, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    const log = captureLogger();
    const r = await pull({ root, logger: log, progressIntervalMs: 0 });
    expectPulled(root);
    expect(r.downloadedBytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(log.lines.some((l) => /objects, .*\/s$/.test(l))).toBe(true); // progress lines
    expect(log.lines.join('\n')).not.toContain(PASSWORD);
    expect(redactSecrets(`x ${PASSWORD} y`)).toBe('x *** y');
  });

  it('takes credentials from MLOPS_DVC_REMOTE_<NAME>_* and reports each secret to onSecret', async () => {
    const root = await workspace(basic.url, '', '    auth = basic\n');
    const secrets: string[] = [];
    await pull({ root, env: { MLOPS_DVC_REMOTE_WEB_USER: 'alice', MLOPS_DVC_REMOTE_WEB_PASSWORD: PASSWORD }, onSecret: (s) => secrets.push(s) });
    expectPulled(root);
    expect(secrets).toContain(PASSWORD);
  });

  it('sends a custom auth header', async () => {
    const root = await workspace(header.url, `['remote "web"']\n    auth = custom\n    custom_auth_header = X-Api-Key\n    password = ${PASSWORD}\n`);
    await pull({ root });
    expectPulled(root);
  });

  it('wrong credentials fail as access denied, naming the remote, with nothing written', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = wrong\n`);
    const before = snapshot(root);
    const e = await pull({ root }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/access denied \(HTTP 401\) .* remote "web"/);
    expect(snapshot(root)).toEqual(before);
  });

  it('retries 500 and 429 (with Retry-After) and succeeds', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('big.bin'), { kind: 'fail', times: 2 });
    basic.faults.set(objectPath('data/a.txt'), { kind: 'fail', times: 1, status: 429, retryAfter: '0' });
    const log = captureLogger();
    await pull({ root, logger: log, retryBaseMs: 10 });
    expectPulled(root);
    expect(log.lines.filter((l) => l.startsWith('retrying')).length).toBe(3);
    expect(basic.log.filter((l) => l.startsWith(`GET ${objectPath('big.bin')} 500`)).length).toBe(2);
    basic.faults.clear();
  });

  it('retries a connection dropped mid-body and a body shorter than content-length', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('big.bin'), { kind: 'drop', times: 2 });
    basic.faults.set(objectPath('data/a.txt'), { kind: 'short', times: 1 });
    const log = captureLogger();
    const r = await pull({ root, logger: log, retryBaseMs: 10 });
    expectPulled(root);
    expect(log.lines.filter((l) => l.startsWith('retrying')).length).toBe(3);
    // bytes of failed attempts are not counted as downloaded
    expect(r.downloadedBytes).toBe(Object.values(report.files).reduce((s, f) => s + f.size, 0) + report.outs['data']!.listing!.length);
    basic.faults.clear();
  });

  it('a slow but steady body completes; a stalled one times out and is retried, then fails cleanly', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('data/a.txt'), { kind: 'slow', chunk: 1, delayMs: 30 });
    await pull({ root, idleTimeoutMs: 2000 });
    expectPulled(root);

    const root2 = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('data/a.txt'), { kind: 'slow', chunk: 2, delayMs: 1500 });
    const before = snapshot(root2);
    // only that file (granular target), so a loaded machine cannot stall another transfer past the short timeout
    const e = await pull({ root: root2, targets: ['data/a.txt'], idleTimeoutMs: 400, attempts: 2, retryBaseMs: 10 }).catch((x: unknown) => x);
    expect((e as Error).message, (e as Error).message).toMatch(/could not download object .* of out data .* after 2 attempts: no data for 0.4 s/);
    expect(snapshot(root2)).toEqual(before);
    basic.faults.clear();
  });

  it('gives up after bounded retries on a persistent 500, leaving nothing partial', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('big.bin'), { kind: 'fail', times: 100 });
    const before = snapshot(root);
    const e = await pull({ root, attempts: 3, retryBaseMs: 5 }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/could not download object .* of out big.bin \(big.bin.dvc\) from remote "web" .* after 3 attempts: .*HTTP 500/);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'big.bin'))).toBe(false);
    basic.faults.clear();
  });

  it('a corrupt body from the server is rejected', async () => {
    const root = await workspace(basic.url, `['remote "web"']\n    auth = basic\n    user = alice\n    password = ${PASSWORD}\n`);
    basic.faults.set(objectPath('big.bin'), { kind: 'replace', body: Buffer.from('evil') });
    const e = await pull({ root }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/object .* of out big.bin .* is corrupt/);
    expect(existsSync(join(root, 'big.bin'))).toBe(false);
    basic.faults.clear();
  });
});

describe('s3 remote (s3rver on loopback)', () => {
  let server: { close(): Promise<void> } | undefined;
  let endpoint: string;

  beforeAll(async () => {
    const dir = await makeTempDir('mlops-s3rver-');
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'ml-bucket' }] });
    const addr = (await s3.run()) as AddressInfo;
    server = s3;
    endpoint = `http://127.0.0.1:${addr.port}`;
    // upload the fixture's objects with a signed PUT, under a prefix
    const client = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', service: 's3', region: 'us-east-1', retries: 0 });
    for (const o of report.objects) {
      const body = readFileSync(join(remoteDir, ...o.key.split('/')));
      const res = await client.fetch(`${endpoint}/ml-bucket/dvc/store/${o.key}`, { method: 'PUT', body });
      expect(res.status).toBe(200);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('pulls with SigV4 credentials from the environment via endpointurl', async () => {
    const root = await workspace('s3://ml-bucket/dvc/store', '', `    endpointurl = ${endpoint}\n`);
    const secrets: string[] = [];
    const log = captureLogger();
    await pull({ root, logger: log, env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }, onSecret: (s) => secrets.push(s) });
    expectPulled(root);
    expect(secrets).toEqual(expect.arrayContaining(['S3RVER']));
  });

  it('takes credentials from config.local', async () => {
    const root = await workspace('s3://ml-bucket/dvc/store', `['remote "web"']\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`, `    endpointurl = ${endpoint}\n`);
    await pull({ root, env: {} });
    expectPulled(root);
  });

  it('unknown credentials are access denied; a wrong prefix is a missing object', async () => {
    // s3rver checks the access key id (it does not recompute V4 signatures)
    const root = await workspace('s3://ml-bucket/dvc/store', '', `    endpointurl = ${endpoint}\n`);
    await expect(pull({ root, env: { AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'x' } })).rejects.toThrow(/access denied \(HTTP 403\)/);
    const root2 = await workspace('s3://ml-bucket/other', '', `    endpointurl = ${endpoint}\n`);
    await expect(pull({ root: root2, env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } })).rejects.toThrow(/missing from remote "web" \(s3:\/\/ml-bucket\/other/);
  });
});
