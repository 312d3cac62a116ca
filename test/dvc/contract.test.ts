/**
 * Contract: dist/dvc-pull run as the runner runs it, with the Actions cache fake. A cold run pulls
 * from the remote and saves .dvc/cache; a warm run in a fresh clone restores it and downloads nothing;
 * a corrupt object fails with one ::error annotation and leaves no data in the workspace.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheFake, startCacheFake } from '../harness/cache-fake.js';
import { runAction } from '../harness/runner.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { makeExampleRepo, writeDvcFixture } from '../fixtures/dvc-repo.js';
import { expectData, pyHashes } from './helpers.js';
import { type HttpRemote, startHttpRemote } from './http-remote.js';

let cache: CacheFake;
let http: HttpRemote | undefined;

beforeAll(async () => {
  cache = await startCacheFake();
});

afterAll(async () => {
  await cache?.close();
  await http?.close();
  await cleanupTempDirs();
});

async function clone(src: string): Promise<string> {
  const dir = await makeTempDir('mlops-dvc-clone-');
  const r = spawnSync('git', ['clone', '-q', src, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return dir;
}

describe('dvc-pull action', () => {
  it('cold pull saves the cache; a warm run in a fresh clone restores it and downloads 0 bytes', async () => {
    const repo = await makeExampleRepo();
    const cold = await runAction('dvc-pull', { workspace: repo.root, env: { ...cache.env } });
    expect(cold.annotations).toEqual([]);
    expect(cold.code).toBe(0);
    expect(cold.outputs).toMatchObject({ files: '6', 'cache-hit': 'false' });
    expect(Number(cold.outputs['downloaded-bytes'])).toBeGreaterThan(Number(cold.outputs.bytes));
    expectData(repo.root, repo.files);
    expect(cache.entries.filter((e) => e.finalized && e.key.startsWith('mlops-dvc-v1-'))).toHaveLength(1);
    expect(cold.summary).toMatch(/6 file\(s\)/);

    // the remote goes away: the warm run can only succeed from the Actions cache
    const ws = await clone(repo.root);
    rmSync(repo.remoteDir, { recursive: true });
    const warm = await runAction('dvc-pull', { workspace: ws, env: { ...cache.env } });
    expect(warm.annotations).toEqual([]);
    expect(warm.code).toBe(0);
    expect(warm.outputs).toMatchObject({ files: '6', 'cache-hit': 'true', 'downloaded-bytes': '0', bytes: cold.outputs.bytes });
    expectData(ws, repo.files);
    expect(cache.entries.filter((e) => e.key.startsWith('mlops-dvc-v1-'))).toHaveLength(1); // nothing new saved
  });

  it('a partial hit restores older objects and saves a new entry without the stale ones', async () => {
    const remoteDir = await makeTempDir();
    const v1 = await makeExampleRepo({ remoteDir, variant: 'partial-1' });
    const first = await runAction('dvc-pull', { workspace: v1.root, env: { ...cache.env }, inputs: { targets: 'data/data.xml.dvc' } });
    expect(first.code).toBe(0);
    const v2 = await makeExampleRepo({ remoteDir, variant: 'partial-2' });
    const second = await runAction('dvc-pull', { workspace: v2.root, env: { ...cache.env }, inputs: { targets: 'data/data.xml.dvc\ntrain' } });
    expect(second.code).toBe(0);
    expect(second.outputs['cache-hit']).toBe('false');
    expect(second.log).toMatch(/restored .dvc\/cache from cache key mlops-dvc-v1-.*\(partial\)/);
    expect(second.log).toMatch(/pruned 1 cached object/);
    expectData(v2.root, { 'data/data.xml': v2.files['data/data.xml']!, 'model.pkl': v2.files['model.pkl']! });
  });

  it('a corrupt object fails with an ::error naming the out and remote, and no data in the workspace', async () => {
    const repo = await makeExampleRepo({ variant: 'corrupt' });
    const md5 = repo.files['model.pkl']!.md5;
    writeFileSync(join(repo.remoteDir, 'files/md5', md5.slice(0, 2), md5.slice(2)), 'garbage');
    const r = await runAction('dvc-pull', { workspace: repo.root, env: { ...cache.env }, inputs: { cache: false } });
    expect(r.code).toBe(1);
    expect(r.annotations).toHaveLength(1);
    const line = readFileSync(join(repo.root, 'dvc.lock'), 'utf8').split('\n').findIndex((l) => l.trim() === '- path: model.pkl') + 1;
    expect(line).toBeGreaterThan(0);
    expect(r.annotations[0]).toMatchObject({ level: 'error', file: 'dvc.lock', line });
    expect(r.annotations[0]!.message).toMatch(/object .* of out model\.pkl \(dvc\.lock\) from remote "storage" .* is corrupt/);
    for (const p of Object.keys(repo.files)) expect(existsSync(join(repo.root, p)), p).toBe(false);
  });

  it("large objects (streamed; md5 in the bundle's worker thread when a core is spare) over HTTP, DVC 3.x and 2.x outs; a corrupt one fails", async () => {
    const root = await makeTempDir('mlops-dvc-big-');
    const remoteDir = await makeTempDir('mlops-dvc-big-remote-');
    const big = (seed: string) => ({ repeat: `${seed} row of a large data file\r\n`, times: 120_000 }); // 3.5 MB or more each
    const report = writeDvcFixture({
      root,
      remotes: { storage: { dir: remoteDir } },
      dvcfiles: [
        { file: 'model.bin.dvc', outs: [{ path: 'model.bin', content: big('model') }] },
        { file: 'data.dvc', outs: [{ path: 'data', files: { 'a.csv': big('a'), 'b.csv': big('b') } }] },
        { file: 'old.csv.dvc', outs: [{ path: 'old.csv', content: big('legacy'), legacy: true }] },
      ],
    });
    http = await startHttpRemote(remoteDir);
    writeFileSync(join(root, '.dvc/config'), `[core]\n    remote = web\n['remote "web"']\n    url = ${http.url}\n`);
    const r = await runAction('dvc-pull', { workspace: root, env: { ...cache.env }, inputs: { cache: false } });
    expect(r.annotations).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ files: '4' });
    expect(Number(r.outputs.bytes)).toBeGreaterThan(4 * 3_000_000);
    const { 'old.csv': legacy, ...current } = report.files;
    expectData(root, current);
    // A 2.x out's md5 is of the text with CRLF as LF (hashed in this thread: the worker does plain md5).
    expect(pyHashes([readFileSync(join(root, 'old.csv'))], true)).toEqual([legacy!.md5]);

    rmSync(join(root, 'model.bin'));
    rmSync(join(root, '.dvc/cache'), { recursive: true });
    const md5 = report.files['model.bin']!.md5;
    const object = join(remoteDir, 'files/md5', md5.slice(0, 2), md5.slice(2));
    const body = readFileSync(object);
    body[body.length >> 1] ^= 1;
    writeFileSync(object, body);
    const bad = await runAction('dvc-pull', { workspace: root, env: { ...cache.env }, inputs: { cache: false } });
    expect(bad.code).toBe(1);
    expect(bad.annotations[0]!.message).toMatch(/of out model\.bin \(model\.bin\.dvc\) from remote "web" .* is corrupt: its md5 is [0-9a-f]{32}, expected/);
    expect(existsSync(join(root, 'model.bin'))).toBe(false);
  });

  it('makes workspace files as cache.type says (hardlinks to the read-only cache files); an unknown type is an ::error on .dvc/config', async () => {
    const repo = await makeExampleRepo({ variant: 'hardlink' });
    appendFileSync(join(repo.root, '.dvc/config'), '[cache]\n    type = hardlink\n');
    const r = await runAction('dvc-pull', { workspace: repo.root, env: { ...cache.env }, inputs: { cache: false } });
    expect(r.annotations).toEqual([]);
    expect(r.code).toBe(0);
    expectData(repo.root, repo.files);
    for (const [path, { md5 }] of Object.entries(repo.files)) {
      const ws = statSync(join(repo.root, path));
      expect(ws.ino, path).toBe(statSync(join(repo.root, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2))).ino);
      expect(ws.mode & 0o222, path).toBe(0);
    }
    expect(r.log).toMatch(/placed 6 file\(s\) \(6 hardlink\)/);

    const bad = await makeExampleRepo({ variant: 'bad-link-type' });
    appendFileSync(join(bad.root, '.dvc/config'), '[cache]\n    type = hardlink,softlink\n');
    const failed = await runAction('dvc-pull', { workspace: bad.root, env: { ...cache.env }, inputs: { cache: false } });
    expect(failed.code).toBe(1);
    expect(failed.annotations).toHaveLength(1);
    expect(failed.annotations[0]).toMatchObject({ level: 'error', file: '.dvc/config' });
    expect(failed.annotations[0]!.message).toMatch(/cache\.type "hardlink,softlink": unsupported link type\(s\) "softlink"/);
    for (const p of Object.keys(bad.files)) expect(existsSync(join(bad.root, p)), p).toBe(false);
  });

  it('masks remote credentials from config.local and rejects bad inputs', async () => {
    const password = 'pa55-word-from-config-local';
    const repo = await makeExampleRepo({ variant: 'creds' });
    http = await startHttpRemote(repo.remoteDir, { basic: { user: 'ci', password } });
    writeFileSync(join(repo.root, '.dvc/config'), `[core]\n    remote = web\n['remote "web"']\n    url = ${http.url}\n    auth = basic\n`);
    writeFileSync(join(repo.root, '.dvc/config.local'), `['remote "web"']\n    user = ci\n    password = ${password}\n`);
    const r = await runAction('dvc-pull', { workspace: repo.root, env: { ...cache.env }, inputs: { cache: false, jobs: 3 } });
    expect(r.annotations).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.leaked(password)).toBe(false);
    expect(r.masked).toContain(password);
    expectData(repo.root, repo.files);

    const bad = await runAction('dvc-pull', { workspace: repo.root, inputs: { jobs: 'many' } });
    expect(bad.code).toBe(1);
    expect(bad.annotations[0]!.message).toMatch(/jobs must be an integer/);
  });
});
