/**
 * Registry auth against the real registry: htpasswd basic auth (docker-registry's own), the bearer
 * token flow (our loopback token endpoint + enforcing proxy in front of the registry), wrong passwords.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/lib/errors.js';
import { silentLogger } from '../../src/lib/log.js';
import { buildImage, type BuildImageRequest } from '../../src/lib/image/index.js';
import { startRegistry, type Registry } from '../harness/registry.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { inspect, skopeoPush, startProxy, writeOciLayout } from './helpers.js';

const USER = { username: 'ci-bot', password: 'pw-9f8e7d6c' };
const CREDS = `${USER.username}:${USER.password}`;
let secured: Registry;
let open: Registry;
let work: string;

function request(host: string, over: Partial<BuildImageRequest> = {}): BuildImageRequest {
  return {
    mode: 'oci',
    image: `${host}/acme/app`,
    base: `${host}/base/os:1`,
    add: ['app'],
    tags: ['t1'],
    labels: {},
    insecure: true,
    cwd: work,
    sourceInfo: { revision: 'a'.repeat(40), created: '2026-01-02T03:04:05Z' },
    logger: silentLogger,
    client: { attempts: 3, retryBaseMs: 5 },
    processEnv: { DOCKER_CONFIG: join(work, 'no-docker-config') },
    ...over,
  };
}

beforeAll(async () => {
  [secured, open] = await Promise.all([startRegistry({ auth: USER }), startRegistry({ relativeUrls: true })]);
  work = await makeTempDir('mlops-auth-work-');
  await mkdir(join(work, 'app'));
  await writeFile(join(work, 'app', 'main.py'), 'print(1)\n');
  const layout = await writeOciLayout(await makeTempDir('mlops-auth-layout-'), [{ architecture: 'amd64', files: { 'etc/hostname': 'base\n' } }]);
  await skopeoPush(layout, 'base', `${secured.host}/base/os:1`, { creds: CREDS });
  await skopeoPush(layout, 'base', `${open.host}/base/os:1`);
});

afterAll(async () => {
  await Promise.all([secured?.stop(), open?.stop()]);
  await cleanupTempDirs();
});

describe('basic auth (htpasswd)', () => {
  it('pushes with the right credentials', async () => {
    const r = await buildImage(request(secured.host, { credentials: USER }));
    expect((await inspect(`${secured.host}/acme/app:t1`, { creds: CREDS })).Digest).toBe(r.digest);
  });

  it('reads credentials from docker config.json when none are given', async () => {
    const dir = join(work, 'docker');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${secured.host}`]: { auth: Buffer.from(CREDS).toString('base64') } } }));
    const r = await buildImage(request(secured.host, { tags: ['from-config'], processEnv: { DOCKER_CONFIG: dir } }));
    expect((await inspect(`${secured.host}/acme/app:from-config`, { creds: CREDS })).Digest).toBe(r.digest);
  });

  it('fails clearly on a wrong password, naming the registry and user, without the password', async () => {
    const err = await buildImage(request(secured.host, { credentials: { ...USER, password: 'wrong-password' } })).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain(secured.host);
    expect(msg).toContain('user "ci-bot"');
    expect(msg).toMatch(/check the registry username and password/);
    expect(msg).not.toContain('wrong-password');
  });

  it('asks for a login when no credentials are given', async () => {
    await expect(buildImage(request(secured.host))).rejects.toThrow(/requires a login.*provide registry credentials/);
  });
});

describe('bearer token flow', () => {
  it('gets a token for the scopes asked (pull on the base, push on the target) and pushes', async () => {
    const proxy = await startProxy(open.host, { bearer: USER });
    try {
      const r = await buildImage(request(proxy.host, { credentials: USER, image: `${proxy.host}/acme/bearer` }));
      expect((await inspect(`${open.host}/acme/bearer:t1`)).Digest).toBe(r.digest);
      const scopes = new Set(proxy.tokenScopes.flat());
      expect(scopes).toContain('repository:base/os:pull');
      expect(scopes).toContain('repository:acme/bearer:pull,push');
      // The base's blobs were mounted with a token covering both repositories.
      const mount = proxy.requests.find((q) => q.path.includes('mount='));
      expect(mount?.status).toBe(201);
      // Tokens are reused: far fewer token requests than registry requests.
      expect(proxy.tokenScopes.length).toBeLessThanOrEqual(4);
    } finally {
      await proxy.close();
    }
  });

  it('turns a token endpoint refusal into a clear error', async () => {
    const proxy = await startProxy(open.host, { bearer: USER });
    try {
      const err = await buildImage(request(proxy.host, { credentials: { ...USER, password: 'nope-nope' }, image: `${proxy.host}/acme/bearer` })).catch((e: unknown) => e);
      expect(isUserError(err)).toBe(true);
      expect((err as Error).message).toMatch(/rejected the credentials of user "ci-bot"/);
    } finally {
      await proxy.close();
    }
  });

  it('says which scope is missing when the account may only pull', async () => {
    const proxy = await startProxy(open.host, { bearer: { ...USER, pullOnly: true } });
    try {
      const err = await buildImage(request(proxy.host, { credentials: USER, image: `${proxy.host}/acme/readonly` })).catch((e: unknown) => e);
      expect(isUserError(err)).toBe(true);
      expect((err as Error).message).toMatch(/refused .* as user "ci-bot": the token lacks repository:acme\/readonly:pull,push \(insufficient_scope\)/);
    } finally {
      await proxy.close();
    }
  });

  it('follows relative upload Locations (http.relativeurls)', async () => {
    const r = await buildImage(request(open.host, { image: `${open.host}/acme/relative`, base: 'scratch' }));
    expect((await inspect(`${open.host}/acme/relative:t1`)).Digest).toBe(r.digest);
  });
});
