/** Pure parts of the image module: references, add specs, tags/labels, buildx arguments, layers, creds. */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialResolver, dockerConfigCredentials } from '../../src/lib/image/credentials.js';
import { buildxArgs } from '../../src/lib/image/docker.js';
import { parseCmd } from '../../src/lib/image/index.js';
import { buildLayer, parseAddSpec } from '../../src/lib/image/layer.js';
import { matchesPlatform, parsePlatform } from '../../src/lib/image/media.js';
import { checkTags, defaultTags, githubSource, ociLabels, parseKeyValues } from '../../src/lib/image/metadata.js';
import { composeConfig } from '../../src/lib/image/oci.js';
import { apiHost, isLoopback, parseImageRef } from '../../src/lib/image/reference.js';
import { parseChallenge } from '../../src/lib/image/registry-client.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('image references', () => {
  it('normalises Docker Hub names and keeps registries with ports', () => {
    expect(parseImageRef('python:3.12-slim')).toEqual({ registry: 'docker.io', repository: 'library/python', tag: '3.12-slim', digest: undefined });
    expect(parseImageRef('acme/churn')).toMatchObject({ registry: 'docker.io', repository: 'acme/churn' });
    expect(parseImageRef('127.0.0.1:5000/acme/churn:v1@sha256:' + 'a'.repeat(64))).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'acme/churn',
      tag: 'v1',
      digest: 'sha256:' + 'a'.repeat(64),
    });
    expect(parseImageRef('localhost/x')).toMatchObject({ registry: 'localhost', repository: 'x' });
    expect(parseImageRef('ghcr.io/acme/ml/churn')).toMatchObject({ registry: 'ghcr.io', repository: 'acme/ml/churn' });
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
  });

  it('rejects bad references naming the field', () => {
    expect(() => parseImageRef('ghcr.io/Acme/churn', 'image')).toThrow(/repository "Acme\/churn" must be lowercase/);
    expect(() => parseImageRef('x@sha256:abc', 'source')).toThrow(/digest "sha256:abc"/);
    expect(() => parseImageRef('x:-bad')).toThrow(/tag "-bad"/);
    expect(() => parseImageRef('')).toThrow(/empty/);
  });

  it('knows loopback hosts', () => {
    expect(isLoopback('127.0.0.1:5000')).toBe(true);
    expect(isLoopback('localhost:5000')).toBe(true);
    expect(isLoopback('[::1]:5000')).toBe(true);
    expect(isLoopback('10.0.0.1:5000')).toBe(false);
  });
});

describe('add specs', () => {
  it('maps src[:dest]', () => {
    expect(parseAddSpec('app')).toMatchObject({ src: 'app', dest: '/app' });
    expect(parseAddSpec('./models/model.pkl')).toMatchObject({ src: './models/model.pkl', dest: '/models/model.pkl' });
    expect(parseAddSpec('models/model.pkl:/opt/model/')).toMatchObject({ dest: '/opt/model/' });
    expect(parseAddSpec('app:srv/app')).toMatchObject({ dest: '/srv/app' });
    expect(parseAddSpec('/abs/path/model.bin')).toMatchObject({ dest: '/model.bin' });
    expect(parseAddSpec('../outside:/x')).toMatchObject({ src: '../outside', dest: '/x' });
    expect(parseAddSpec('C:\\work\\model.pkl:/m.pkl')).toMatchObject({ src: 'C:\\work\\model.pkl', dest: '/m.pkl' });
    expect(() => parseAddSpec('app:/../etc')).toThrow(/inside the image root/);
    expect(() => parseAddSpec(':/x')).toThrow(/empty source/);
  });
});

describe('tags, labels, cmd', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  it('defaults to sha-<7>, the full sha and the version', () => {
    expect(defaultTags(sha, 'v1.2.3')).toEqual(['sha-0123456', sha, 'v1.2.3']);
    expect(defaultTags(undefined)).toEqual([]);
    expect(() => checkTags(['v1.0.0+build.1'])).toThrow(/not a valid image tag/);
  });

  it('fills the OCI labels from the source and leaves unknown ones out', () => {
    expect(ociLabels({ repository: 'acme/churn', url: 'https://github.com/acme/churn', revision: sha, created: '2026-01-01T00:00:00Z' }, { version: 'v2' })).toEqual({
      'org.opencontainers.image.title': 'churn',
      'org.opencontainers.image.url': 'https://github.com/acme/churn',
      'org.opencontainers.image.source': 'https://github.com/acme/churn',
      'org.opencontainers.image.version': 'v2',
      'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
      'org.opencontainers.image.revision': sha,
    });
    expect(parseKeyValues(['a=1', 'b=x=y', 'a=2'], 'labels')).toEqual({ a: '2', b: 'x=y' });
    expect(() => parseKeyValues(['novalue'], 'labels')).toThrow(/key=value/);
  });

  it('parses cmd as exec form or shell form', () => {
    expect(parseCmd('["python", "serve.py"]')).toEqual(['python', 'serve.py']);
    expect(parseCmd('python serve.py --port 80')).toEqual(['/bin/sh', '-c', 'python serve.py --port 80']);
    expect(parseCmd('  ')).toBeUndefined();
    expect(() => parseCmd('[1, 2]')).toThrow(/array of strings/);
  });

  it('takes the PR head sha as revision on a pull_request event', async () => {
    const dir = await makeTempDir('mlops-event-');
    const event = join(dir, 'event.json');
    const head = 'b'.repeat(40);
    await writeFile(event, JSON.stringify({ pull_request: { head: { sha: head } }, repository: { html_url: 'https://github.com/acme/churn', description: 'Churn', license: { spdx_id: 'Apache-2.0' } } }));
    const src = await githubSource({ GITHUB_EVENT_PATH: event, GITHUB_SHA: 'c'.repeat(40), GITHUB_REPOSITORY: 'acme/churn' }, dir);
    expect(src).toMatchObject({ revision: head, url: 'https://github.com/acme/churn', description: 'Churn', licenses: 'Apache-2.0', repository: 'acme/churn' });
  });

  it('takes the commit time from the checkout, else from the push payload', async () => {
    const dir = await makeTempDir('mlops-git-');
    const env = { ...process.env, GIT_AUTHOR_DATE: '2026-03-04T05:06:07Z', GIT_COMMITTER_DATE: '2026-03-04T05:06:07+02:00', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'commit', '-q', '--allow-empty', '-m', 'x'], { env });
    const sha = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect((await githubSource({ GITHUB_SHA: sha }, dir)).created).toBe('2026-03-04T03:06:07Z');
    const event = join(dir, 'push.json');
    await writeFile(event, JSON.stringify({ head_commit: { id: 'd'.repeat(40), timestamp: '2026-05-06T07:08:09-01:00' } }));
    expect((await githubSource({ GITHUB_SHA: 'd'.repeat(40), GITHUB_EVENT_PATH: event }, dir)).created).toBe('2026-05-06T08:08:09Z');
    // pull_request: the head is not checked out (only the merge commit is): the merge commit's time.
    const pr = join(dir, 'pr.json');
    await writeFile(pr, JSON.stringify({ pull_request: { head: { sha: 'e'.repeat(40) } } }));
    expect(await githubSource({ GITHUB_SHA: sha, GITHUB_EVENT_PATH: pr }, dir)).toMatchObject({ revision: 'e'.repeat(40), created: '2026-03-04T03:06:07Z' });
  });
});

describe('docker mode arguments', () => {
  it('builds one argument array with push, metadata file, labels (sorted) and tags', () => {
    expect(
      buildxArgs({
        context: '/ws',
        dockerfile: '/ws/docker/Dockerfile',
        platform: 'linux/amd64',
        metadataFile: '/tmp/m.json',
        labels: { 'org.opencontainers.image.revision': 'abc', 'a.label': 'has space; $(not a shell)' },
        tags: ['ghcr.io/acme/churn:sha-abc1234', 'ghcr.io/acme/churn:v1.2.3'],
      }),
    ).toEqual([
      'buildx', 'build', '--push', '--metadata-file', '/tmp/m.json',
      '--file', '/ws/docker/Dockerfile',
      '--platform', 'linux/amd64',
      '--label', 'a.label=has space; $(not a shell)',
      '--label', 'org.opencontainers.image.revision=abc',
      '--tag', 'ghcr.io/acme/churn:sha-abc1234',
      '--tag', 'ghcr.io/acme/churn:v1.2.3',
      '/ws',
    ]);
    expect(buildxArgs({ context: '.', metadataFile: 'm', labels: {}, tags: ['x:y'] })).toEqual(['buildx', 'build', '--push', '--metadata-file', 'm', '--tag', 'x:y', '.']);
  });
});

describe('platforms and auth challenges', () => {
  it('matches index entries', () => {
    expect(matchesPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatform('linux/arm64'))).toBe(true);
    expect(matchesPlatform({ os: 'linux', architecture: 'arm64' }, parsePlatform('linux/arm64/v8'))).toBe(true);
    expect(matchesPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }, parsePlatform('linux/arm/v6'))).toBe(false);
    expect(() => parsePlatform('amd64')).toThrow(/os\/arch/);
  });

  it('parses WWW-Authenticate', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/churn:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/churn:pull' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
  });
});

describe('docker config credentials', () => {
  it('reads base64 auth by host, Docker Hub aliases included, and prefers explicit ones for the target', async () => {
    const dir = await makeTempDir('mlops-dockercfg-');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'ghcr.io': { auth: Buffer.from('gh:tok:en').toString('base64') },
        },
      }),
    );
    const env = { DOCKER_CONFIG: dir };
    expect(dockerConfigCredentials('docker.io', env)).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(dockerConfigCredentials('ghcr.io', env)).toEqual({ username: 'gh', password: 'tok:en' });
    expect(dockerConfigCredentials('quay.io', env)).toBeUndefined();
    const resolve = credentialResolver('ghcr.io', { username: 'me', password: 'pw' }, env);
    expect(resolve('ghcr.io')).toEqual({ username: 'me', password: 'pw' });
    expect(resolve('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
  });
});

describe('deterministic layers', () => {
  it('gives the same digest for the same content whatever the mtimes, and another for other content', async () => {
    const make = async (content: string, mtime: number) => {
      const dir = await makeTempDir('mlops-layer-');
      await mkdir(join(dir, 'app', 'z'), { recursive: true });
      await writeFile(join(dir, 'app', 'b.txt'), content);
      await writeFile(join(dir, 'app', 'a.txt'), 'a');
      await writeFile(join(dir, 'app', 'z', 'deep.txt'), 'deep');
      await writeFile(join(dir, 'target.txt'), 'via link');
      await symlink(join(dir, 'target.txt'), join(dir, 'app', 'link.txt'));
      for (const f of ['app/b.txt', 'app/a.txt', 'app/z/deep.txt']) await utimes(join(dir, f), mtime, mtime);
      return buildLayer(parseAddSpec('app:/srv/app'), dir, join(dir, 'layer.tgz'));
    };
    const a = await make('same', 1_000_000);
    const b = await make('same', 1_700_000_000);
    const c = await make('other', 1_000_000);
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    expect(c.digest).not.toBe(a.digest);
    // Symlinks are followed (DVC links its outputs into the cache): the layer holds the bytes.
    const listing = execFileSync('tar', ['-tvzf', a.file], { encoding: 'utf8' });
    expect(listing).toMatch(/-rw-r--r-- 0\/0\s+8 1970-01-01 00:00 srv\/app\/link.txt/);
  });

  it('writes env, cmd, labels and history into the config, keeping the base', () => {
    const cfg = composeConfig(
      { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin', 'A=1'], Labels: { keep: 'me' } }, rootfs: { type: 'layers', diff_ids: ['sha256:base'] }, history: [{ created_by: 'base' }] },
      [{ diffId: 'sha256:new', spec: parseAddSpec('app') }],
      { labels: { z: '1', b: '2' }, env: ['A=2', 'B=3'], cmd: ['run'], created: '2026-01-01T00:00:00Z' },
    );
    expect(cfg).toEqual({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin', 'A=2', 'B=3'], Labels: { keep: 'me', b: '2', z: '1' }, Cmd: ['run'] },
      rootfs: { type: 'layers', diff_ids: ['sha256:base', 'sha256:new'] },
      history: [{ created_by: 'base' }, { created: '2026-01-01T00:00:00Z', created_by: 'mlops image add app /app', comment: 'mlops-actions' }],
      created: '2026-01-01T00:00:00Z',
    });
  });
});
