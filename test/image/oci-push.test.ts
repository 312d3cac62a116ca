/**
 * oci mode against the real registry (Debian's docker-registry on loopback): a base pushed by skopeo,
 * layers appended by us, everything read back by skopeo as an independent client.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { silentLogger } from '../../src/lib/log.js';
import { buildImage, type BuildImageRequest } from '../../src/lib/image/index.js';
import { parseAddSpec } from '../../src/lib/image/layer.js';
import { pushImage, retagImage } from '../../src/lib/image/oci.js';
import { startRegistry, type Registry } from '../harness/registry.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { blobWrites, DROP, HANG, inspect, skopeo, skopeoPush, startProxy, writeOciLayout } from './helpers.js';

const run = promisify(execFile);
const REV = '3f786850e387550fdab836ed7e6dc881de23001b';
const CREATED = '2026-11-20T10:11:12Z';
const fast = { attempts: 4, retryBaseMs: 5 };

let reg: Registry;
let work: string;

async function appFiles(dir: string) {
  await mkdir(join(dir, 'app', 'pkg'), { recursive: true });
  await writeFile(join(dir, 'app', 'main.py'), 'print("serve")\n');
  await writeFile(join(dir, 'app', 'pkg', '__init__.py'), '');
  await writeFile(join(dir, 'app', 'run.sh'), '#!/bin/sh\nexec python main.py\n');
  await chmod(join(dir, 'app', 'run.sh'), 0o750);
  await chmod(join(dir, 'app', 'main.py'), 0o600);
  await mkdir(join(dir, 'models'), { recursive: true });
  await writeFile(join(dir, 'models', 'model.pkl'), Buffer.alloc(300_000, 7));
}

function request(over: Partial<BuildImageRequest> = {}): BuildImageRequest {
  return {
    mode: 'oci',
    image: `${reg.host}/acme/churn`,
    base: `${reg.host}/base/python:3.12`,
    add: ['app:/srv/app', 'models/model.pkl:/models/'],
    tags: [],
    version: 'v1.2.3',
    labels: { team: 'ml' },
    env: ['MODEL_PATH=/models/model.pkl', 'LANG=en_US.UTF-8'],
    cmd: ['python', '/srv/app/main.py'],
    insecure: true,
    cwd: work,
    sourceInfo: { repository: 'acme/churn', url: 'https://github.com/acme/churn', revision: REV, created: CREATED, licenses: 'MIT', description: 'Churn model' },
    logger: silentLogger,
    client: fast,
    ...over,
  };
}

beforeAll(async () => {
  reg = await startRegistry();
  work = await makeTempDir('mlops-image-work-');
  await appFiles(work);
  const layout = await writeOciLayout(await makeTempDir('mlops-oci-layout-'), [
    { architecture: 'amd64', files: { 'etc/os-release': 'ID=test\n', 'bin/hello': 'hello amd64\n' } },
    { architecture: 'arm64', variant: 'v8', files: { 'etc/os-release': 'ID=test\n', 'bin/hello': 'hello arm64\n' } },
  ]);
  await skopeoPush(layout, 'base', `${reg.host}/base/python:3.12`);
  const single = await writeOciLayout(await makeTempDir('mlops-oci-layout-'), [{ architecture: 'amd64', files: { 'etc/os-release': 'ID=docker\n' } }]);
  await skopeoPush(single, 'base', `${reg.host}/base/docker:1`, { format: 'v2s2' });
});

afterAll(async () => {
  await reg?.stop();
  await cleanupTempDirs();
});

describe('oci push', () => {
  it('appends layers to the amd64 image of a multi-arch base; skopeo reads labels, layers and config', async () => {
    const r = await buildImage(request());
    expect(r.mode).toBe('oci');
    expect(r.tags).toEqual([`sha-${REV.slice(0, 7)}`, REV, 'v1.2.3']);
    expect(r.image).toBe(`${reg.host}/acme/churn@${r.digest}`);

    const info = await inspect(`${reg.host}/acme/churn:v1.2.3`);
    expect(info.Digest).toBe(r.digest);
    expect(info.Architecture).toBe('amd64');
    expect(info.Layers).toHaveLength(3);
    expect(info.Labels).toMatchObject({
      'base.label': 'kept',
      team: 'ml',
      'org.opencontainers.image.title': 'churn',
      'org.opencontainers.image.description': 'Churn model',
      'org.opencontainers.image.url': 'https://github.com/acme/churn',
      'org.opencontainers.image.source': 'https://github.com/acme/churn',
      'org.opencontainers.image.version': 'v1.2.3',
      'org.opencontainers.image.created': CREATED,
      'org.opencontainers.image.revision': REV,
      'org.opencontainers.image.licenses': 'MIT',
    });
    for (const t of [`sha-${REV.slice(0, 7)}`, REV]) expect((await inspect(`${reg.host}/acme/churn:${t}`)).Digest).toBe(r.digest);

    const cfg = (await inspect(`${reg.host}/acme/churn:v1.2.3`, { config: true })) as {
      created: string;
      config: { Env: string[]; Cmd: string[] };
      rootfs: { diff_ids: string[] };
      history: { created_by: string }[];
    };
    expect(cfg.created).toBe(CREATED);
    expect(cfg.config.Env).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=en_US.UTF-8', 'MODEL_PATH=/models/model.pkl']);
    expect(cfg.config.Cmd).toEqual(['python', '/srv/app/main.py']);
    expect(cfg.rootfs.diff_ids).toHaveLength(3);
    expect(cfg.history.map((h) => h.created_by)).toEqual(['test base rootfs', 'mlops image add app /srv/app', 'mlops image add models/model.pkl /models/']);

    const raw = (await inspect(`${reg.host}/acme/churn:v1.2.3`, { raw: true })) as { mediaType: string; layers: { mediaType: string }[] };
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));

    // The layer as GNU tar sees it: sorted, root-owned, epoch mtime, normalised modes, parents included.
    const out = await makeTempDir('mlops-skopeo-dir-');
    await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/acme/churn:v1.2.3`, `dir:${out}`]);
    const appLayer = (raw as unknown as { layers: { digest: string }[] }).layers[1]!.digest.slice(7);
    const { stdout } = await run('tar', ['--numeric-owner', '--full-time', '-tvzf', join(out, appLayer)], { env: { ...process.env, TZ: 'UTC' } });
    const lines = stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(lines.map((l) => l[5])).toEqual(['srv/', 'srv/app/', 'srv/app/main.py', 'srv/app/pkg/', 'srv/app/pkg/__init__.py', 'srv/app/run.sh']);
    expect(lines.map((l) => l[0])).toEqual(['drwxr-xr-x', 'drwxr-xr-x', '-rw-r--r--', 'drwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x']);
    for (const l of lines) {
      expect(l[1]).toBe('0/0');
      expect(l[3]).toBe('1970-01-01');
    }
    const gz = await readFile(join(out, appLayer));
    expect([...gz.subarray(4, 10)]).toEqual([0, 0, 0, 0, 0, 3]); // gzip mtime 0, Unix
    expect(gz[3]! & 0x08).toBe(0); // no file name
  });

  it('is reproducible and idempotent: same inputs, same digest, no blob uploaded twice', async () => {
    const proxy = await startProxy(reg.host);
    try {
      const req = request({ image: `${proxy.host}/acme/repro`, base: `${proxy.host}/base/python:3.12` });
      const first = await buildImage(req);
      expect(blobWrites(proxy.requests).length).toBeGreaterThan(0);
      proxy.requests.length = 0;
      // A fresh copy of the sources: other mtimes, inodes and directory order; same content.
      const again = await makeTempDir('mlops-image-work2-');
      await new Promise((r) => setTimeout(r, 1100));
      await appFiles(again);
      const second = await buildImage({ ...req, cwd: again });
      expect(second.digest).toBe(first.digest);
      expect(second.uploadedBlobs).toBe(0);
      expect(blobWrites(proxy.requests)).toEqual([]);
      expect(proxy.requests.filter((x) => x.method === 'PUT').every((x) => x.path.includes('/manifests/'))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('mounts base layers from the base repository instead of uploading them', async () => {
    const proxy = await startProxy(reg.host);
    try {
      await buildImage(request({ image: `${proxy.host}/acme/mounted`, base: `${proxy.host}/base/python:3.12`, add: ['app'] }));
      const mounts = proxy.requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
      expect(mounts).toHaveLength(1);
      expect(mounts[0]!.status).toBe(201);
      expect(mounts[0]!.path).toContain('from=base%2Fpython');
    } finally {
      await proxy.close();
    }
  });

  it('picks the platform asked from a multi-arch base', async () => {
    const r = await buildImage(request({ image: `${reg.host}/acme/arm`, platform: 'linux/arm64', add: ['app'] }));
    const info = await inspect(`${reg.host}/acme/arm@${r.digest}`, { raw: false });
    expect(info.Architecture).toBe('arm64');
    await expect(buildImage(request({ platform: 'linux/s390x' }))).rejects.toThrow(/no linux\/s390x variant \(it has: linux\/amd64, linux\/arm64\/v8\)/);
  });

  it('keeps a Docker v2 base a Docker v2 image', async () => {
    const r = await buildImage(request({ image: `${reg.host}/acme/dockerish`, base: `${reg.host}/base/docker:1`, add: ['app'] }));
    const raw = (await inspect(`${reg.host}/acme/dockerish@${r.digest}`, { raw: true })) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] };
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(raw.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(raw.layers.map((l) => l.mediaType)).toEqual(Array(2).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'));
  });

  it('builds from scratch', async () => {
    const r = await pushImage({
      credentials: () => undefined,
      insecure: true,
      logger: silentLogger,
      client: fast,
      to: `${reg.host}/acme/scratch`,
      base: 'scratch',
      add: [parseAddSpec('app:/app')],
      cwd: work,
      tags: ['t1'],
      labels: {},
      created: CREATED,
      platform: { os: 'linux', architecture: 'amd64' },
    });
    const info = await inspect(`${reg.host}/acme/scratch:t1`);
    expect(info.Digest).toBe(r.digest);
    expect(info.Layers).toHaveLength(1);
  });

  it('uploads large blobs in PATCH chunks', async () => {
    const proxy = await startProxy(reg.host);
    try {
      await writeFile(join(work, 'big.bin'), randomBytes(1_500_000));
      const r = await buildImage(request({ image: `${proxy.host}/acme/chunked`, base: 'scratch', add: ['big.bin'], client: { ...fast, chunkSize: 256 * 1024 } }));
      const patches = proxy.requests.filter((x) => x.method === 'PATCH');
      expect(patches.length).toBeGreaterThanOrEqual(4);
      expect(patches.every((p) => p.status === 202)).toBe(true);
      const cfg = (await inspect(`${reg.host}/acme/chunked@${r.digest}`, { config: true })) as { rootfs: { diff_ids: string[] } };
      expect(cfg.rootfs.diff_ids).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('retries a blob upload the registry answers with 500', async () => {
    let failed = 0;
    const proxy = await startProxy(reg.host, {
      fault: ({ method, path }) => (method === 'PUT' && path.includes('/blobs/uploads/') && failed++ === 0 ? 500 : undefined),
    });
    try {
      const r = await buildImage(request({ image: `${proxy.host}/acme/flaky`, base: 'scratch', add: ['app'] }));
      expect(failed).toBeGreaterThan(1);
      expect(proxy.requests.filter((x) => x.status === 500)).toHaveLength(1);
      expect((await inspect(`${reg.host}/acme/flaky@${r.digest}`)).Layers).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('retries after a dropped connection mid-upload and a 429 on the manifest', async () => {
    let drops = 0;
    let throttled = 0;
    const proxy = await startProxy(reg.host, {
      fault: ({ method, path }) => {
        if (method === 'PUT' && path.includes('/blobs/uploads/') && drops++ === 0) return DROP;
        if (method === 'PUT' && path.includes('/manifests/') && throttled++ === 0) return 429;
        return undefined;
      },
    });
    try {
      const r = await buildImage(request({ image: `${proxy.host}/acme/dropped`, base: 'scratch', add: ['models'] }));
      expect(proxy.requests.filter((x) => x.status === 0)).toHaveLength(1);
      expect(proxy.requests.filter((x) => x.status === 429)).toHaveLength(1);
      expect((await inspect(`${reg.host}/acme/dropped@${r.digest}`)).Layers).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('times out a registry that stops answering and retries', async () => {
    let hung = 0;
    const proxy = await startProxy(reg.host, { fault: ({ method, path }) => (method === 'GET' && path.includes('/manifests/') && hung++ === 0 ? HANG : undefined) });
    try {
      const r = await buildImage(request({ image: `${proxy.host}/acme/slow`, base: `${proxy.host}/base/python:3.12`, add: ['app'], client: { ...fast, timeoutMs: 300 } }));
      expect(proxy.requests.filter((x) => x.status === -2)).toHaveLength(1);
      expect((await inspect(`${reg.host}/acme/slow@${r.digest}`)).Layers).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after bounded retries when the registry keeps failing', async () => {
    const proxy = await startProxy(reg.host, { fault: ({ method }) => (method === 'PUT' ? 503 : undefined) });
    try {
      await expect(buildImage(request({ image: `${proxy.host}/acme/down`, base: 'scratch', add: ['app'] }))).rejects.toThrow(/answered 503/);
      // Each blob's upload session is tried at most `attempts` times, then the push fails.
      const perBlob = new Map<string, number>();
      for (const x of proxy.requests.filter((q) => q.method === 'PUT')) {
        const d = new URL(x.path, 'http://x').searchParams.get('digest')!;
        perBlob.set(d, (perBlob.get(d) ?? 0) + 1);
      }
      expect(Math.max(...perBlob.values())).toBe(fast.attempts);
    } finally {
      await proxy.close();
    }
  });

  it('rejects a missing path and a bad reference before pushing anything', async () => {
    await expect(buildImage(request({ add: ['nope/model.pkl'] }))).rejects.toThrow(/nope\/model.pkl: no such file or folder/);
    await expect(buildImage(request({ image: 'Bad Name' }))).rejects.toThrow(UserError);
    await expect(buildImage(request({ base: `${reg.host}/base/missing:1` }))).rejects.toThrow(/not found.*check the image name/);
  });
});

describe('across registries', () => {
  it('copies base blobs from another registry (download, verify, upload) and re-tags across registries', async () => {
    const other = await startRegistry();
    try {
      const r = await buildImage(request({ image: `${other.host}/acme/elsewhere`, add: ['app'] }));
      const info = await inspect(`${other.host}/acme/elsewhere:v1.2.3`);
      expect(info.Digest).toBe(r.digest);
      expect(r.uploadedBlobs).toBe(3); // base layer, app layer, config
      // Every layer is really there: skopeo copies the whole image out of the second registry.
      await skopeo(['copy', '--src-tls-verify=false', `docker://${other.host}/acme/elsewhere:v1.2.3`, `dir:${await makeTempDir('mlops-copy-out-')}`]);

      const moved = await retagImage({ credentials: () => undefined, insecure: true, logger: silentLogger, client: fast, source: `${reg.host}/base/python:3.12`, tags: [`${other.host}/mirror/python:3.12`] });
      const idx = await inspect(`${other.host}/mirror/python:3.12`, { raw: true });
      expect(idx.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(moved.stats.blobsUploaded).toBe(4); // two platforms x (layer + config)
      for (const arch of ['amd64', 'arm64']) {
        await skopeo(['copy', '--src-tls-verify=false', '--override-arch', arch, `docker://${other.host}/mirror/python:3.12`, `dir:${await makeTempDir('mlops-copy-out-')}`]);
      }
    } finally {
      await other.stop();
    }
  });
});

describe('re-tag', () => {
  it('puts the same manifest under new tags with zero blob uploads, also into another repository (mounts)', async () => {
    const built = await buildImage(request({ image: `${reg.host}/acme/promote`, add: ['app'] }));
    const proxy = await startProxy(reg.host);
    try {
      const r = await retagImage({ credentials: () => undefined, insecure: true, logger: silentLogger, client: fast, source: `${proxy.host}/acme/promote@${built.digest}`, tags: ['staging', 'v2.0.0'] });
      expect(r.digest).toBe(built.digest);
      expect(blobWrites(proxy.requests)).toEqual([]);
      expect(proxy.requests.filter((x) => x.method === 'PUT').map((x) => x.path)).toEqual(['/v2/acme/promote/manifests/staging', '/v2/acme/promote/manifests/v2.0.0']);
      expect((await inspect(`${reg.host}/acme/promote:staging`)).Digest).toBe(built.digest);

      proxy.requests.length = 0;
      const other = await retagImage({ credentials: () => undefined, insecure: true, logger: silentLogger, client: fast, source: `${proxy.host}/acme/promote@${built.digest}`, tags: [`${proxy.host}/prod/churn:v2.0.0`] });
      expect(other.digest).toBe(built.digest);
      const writes = blobWrites(proxy.requests);
      expect(writes.length).toBe(3); // base layer, app layer, config: each one mount POST
      expect(writes.every((w) => w.method === 'POST' && w.path.includes('mount=') && w.status === 201)).toBe(true);
      expect((await inspect(`${reg.host}/prod/churn:v2.0.0`)).Digest).toBe(built.digest);
    } finally {
      await proxy.close();
    }
  });

  it('re-tags a multi-arch index as it is', async () => {
    const idx = await inspect(`${reg.host}/base/python:3.12`, { raw: true });
    expect(idx.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/base/python:3.12`])).trim();
    const r = await buildImage(request({ source: `${reg.host}/base/python@${digest}`, tags: ['stable'], version: undefined, image: `${reg.host}/mirror/python` }));
    const copied = await inspect(`${reg.host}/mirror/python:stable`, { raw: true });
    expect(copied).toEqual(idx);
    expect(r.digest).toBe(digest);
  });
});
