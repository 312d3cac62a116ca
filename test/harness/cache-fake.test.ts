import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheFake, type CacheFake } from './cache-fake.js';
import { runActionDir } from './runner.js';
import { cleanupTempDirs, makeTempDir } from './tmp.js';

const FIXTURE = 'test/harness/fixtures/cache-action';
let cache: CacheFake;

beforeAll(async () => {
  cache = await startCacheFake();
});

afterAll(async () => {
  await cache.close();
  await cleanupTempDirs();
});

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const ws = await makeTempDir('cache-ws-');
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(ws, p, '..'), { recursive: true });
    await writeFile(join(ws, p), content);
  }
  return ws;
}

const run = (workspace: string, inputs: Record<string, string>) => runActionDir(FIXTURE, { workspace, inputs, env: cache.env });

describe('cache fake with @actions/cache v2 under the runner harness', () => {
  it('saves, then restores by exact key in another workspace', async () => {
    const src = await workspaceWith({ '.dvc/cache/files/md5/ab/cdef': 'model bytes', '.dvc/cache/files/md5/12/3456': 'data' });
    const saved = await run(src, { mode: 'save', key: 'dvc-linux-abc' });
    expect(saved.annotations).toEqual([]);
    expect(saved.code).toBe(0);
    expect(Number(saved.outputs['cache-id'])).toBeGreaterThan(0);
    const entry = cache.find('dvc-linux-abc')!;
    expect(entry.finalized).toBe(true);
    expect(entry.sizeBytes).toBe(entry.data.length);
    expect(cache.requests.map((r) => r.operation)).toEqual(['CreateCacheEntry', 'PutBlob', 'FinalizeCacheEntryUpload']);

    const dst = await makeTempDir('cache-ws-');
    const restored = await run(dst, { mode: 'restore', key: 'dvc-linux-abc' });
    expect(restored.annotations).toEqual([]);
    expect(restored.outputs['cache-hit']).toBe('dvc-linux-abc');
    expect(await readFile(join(dst, '.dvc/cache/files/md5/ab/cdef'), 'utf8')).toBe('model bytes');
  });

  it('falls back to the newest entry matching a restore key prefix, with the same version only', async () => {
    const ws = await workspaceWith({ '.dvc/cache/x': 'old' });
    expect((await run(ws, { mode: 'save', key: 'dvc-linux-1' })).code).toBe(0);
    await writeFile(join(ws, '.dvc/cache/x'), 'new');
    expect((await run(ws, { mode: 'save', key: 'dvc-linux-2' })).code).toBe(0);

    const dst = await makeTempDir('cache-ws-');
    const r = await run(dst, { mode: 'restore', key: 'dvc-linux-3', 'restore-keys': 'dvc-mac-\ndvc-linux-' });
    expect(r.outputs['cache-hit']).toBe('dvc-linux-2');
    expect(await readFile(join(dst, '.dvc/cache/x'), 'utf8')).toBe('new');

    // Another path means another version: no match even for the same key.
    const other = await run(dst, { mode: 'restore', key: 'dvc-linux-2', path: 'elsewhere' });
    expect(other.code).toBe(0);
    expect(other.outputs['cache-hit']).toBe('');
  });

  it('refuses a second entry for the same key and version, as the service does', async () => {
    const ws = await workspaceWith({ '.dvc/cache/y': 'y' });
    expect((await run(ws, { mode: 'save', key: 'dup-key' })).code).toBe(0);
    const again = await run(ws, { mode: 'save', key: 'dup-key' });
    expect(again.code).toBe(0);
    expect(again.outputs['cache-id']).toBe('-1');
    expect(again.stdout).toContain('another job may be creating this cache');
    expect(cache.entries.filter((e) => e.key === 'dup-key')).toHaveLength(1);
  });

  it('answers the toolkit as a miss (warning, not failure) when the service is down', async () => {
    cache.fault({ operation: 'GetCacheEntryDownloadURL', status: 401, times: 1 });
    const dst = await makeTempDir('cache-ws-');
    const r = await run(dst, { mode: 'restore', key: 'dvc-linux-abc' });
    expect(r.code).toBe(0);
    expect(r.outputs['cache-hit']).toBe('');
    expect(r.annotations.map((a) => a.level)).toEqual(['warning']);
  });
});

describe('cache fake blob endpoints as the Azure SDK uses them', () => {
  const twirp = async (method: string, body: object) => {
    const res = await fetch(`${cache.env.ACTIONS_RESULTS_URL}twirp/github.actions.results.api.v1.CacheService/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cache.env.ACTIONS_RUNTIME_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string | boolean> };
  };

  it('accepts Put Block + Put Block List (archives over the single-shot size) and serves ranges', async () => {
    const { BlockBlobClient } = await import('@azure/storage-blob');
    const created = await twirp('CreateCacheEntry', { key: 'blocks', version: 'v1' });
    expect(created.body.ok).toBe(true);
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const client = new BlockBlobClient(String(created.body.signedUploadUrl));
    await client.uploadData(data, { maxSingleShotSize: 1024, blockSize: 1000, concurrency: 3 });
    expect(cache.requests.filter((r) => r.operation === 'PutBlock')).toHaveLength(5);
    expect(cache.requests.filter((r) => r.operation === 'PutBlockList')).toHaveLength(1);
    const fin = await twirp('FinalizeCacheEntryUpload', { key: 'blocks', version: 'v1', size_bytes: String(data.length) });
    expect(fin.body).toMatchObject({ ok: true });

    const found = await twirp('GetCacheEntryDownloadURL', { key: 'blocks', version: 'v1', restore_keys: [] });
    expect(found.body).toMatchObject({ ok: true, matchedKey: 'blocks' });
    const url = String(found.body.signedDownloadUrl);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(data);
    const part = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(data.subarray(1000, 2000));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('5000');
  });

  it('rejects a wrong runtime token, a wrong version and a size mismatch', async () => {
    const bad = await fetch(`${cache.url}/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(401);
    expect((await twirp('GetCacheEntryDownloadURL', { key: 'blocks', version: 'v2' })).body.ok).toBe(false);
    const created = await twirp('CreateCacheEntry', { key: 'short', version: 'v1' });
    const put = await fetch(String(created.body.signedUploadUrl), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'abc' });
    expect(put.status).toBe(201);
    const fin = await twirp('FinalizeCacheEntryUpload', { key: 'short', version: 'v1', size_bytes: '4' });
    expect(fin.body.ok).toBe(false);
    expect(cache.find('short')).toBeUndefined();
  });
});
