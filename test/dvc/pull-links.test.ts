/**
 * `cache.type` (DVC's link types): workspace files as hardlinks or symlinks to the cache object,
 * read-only as DVC protects them, falling back in the configured order when a type does not work
 * here (a cache on another filesystem). Repositories come from the Python reference (dvc_fixture.py).
 */
import { appendFileSync, chmodSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDvcConfig } from '../../src/lib/dvc/config.js';
import { pull } from '../../src/lib/dvc/pull.js';
import { UserError } from '../../src/lib/errors.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { type FixtureReport, writeDvcFixture } from '../fixtures/dvc-repo.js';
import { captureLogger, expectData, snapshot } from './helpers.js';

const otherFs: string[] = [];
afterAll(async () => {
  for (const d of otherFs) rmSync(d, { recursive: true, force: true });
  await cleanupTempDirs();
});

const outs = {
  dvcfiles: [
    { file: 'model.bin.dvc', outs: [{ path: 'model.bin', content: { repeat: '0123456789abcdef', times: 20_000 } }] },
    {
      file: 'data.dvc',
      outs: [{ path: 'data', files: { 'a.txt': { text: 'alpha\n' }, 'sub/b.txt': { text: 'beta\n' }, 'same-as-a.txt': { text: 'alpha\n' }, 'empty.txt': { text: '' } } }],
    },
    { file: 'run.sh.dvc', outs: [{ path: 'run.sh', content: { text: '#!/bin/sh\necho hi\n' } }] },
  ],
};

async function repo(cacheConfig: string): Promise<{ root: string; remote: string; report: FixtureReport }> {
  const root = await makeTempDir('mlops-dvc-ws-');
  const remote = await makeTempDir('mlops-dvc-remote-');
  const report = writeDvcFixture({ root, remotes: { storage: { dir: remote } }, ...outs });
  appendFileSync(join(root, '.dvc', 'config'), cacheConfig);
  appendFileSync(join(root, 'run.sh.dvc'), '  isexec: true\n');
  return { root, remote, report };
}

const cacheFile = (cacheDir: string, md5: string) => join(cacheDir, 'files', 'md5', md5.slice(0, 2), md5.slice(2));

describe('cache.type', () => {
  it('hardlink: workspace files are the read-only cache files; a second pull places nothing', async () => {
    const { root, report } = await repo('[cache]\n    type = hardlink\n');
    const log = captureLogger();
    const r = await pull({ root, logger: log });
    expectData(root, report.files);
    for (const [path, f] of Object.entries(report.files)) {
      const ws = statSync(join(root, path));
      const cached = statSync(cacheFile(join(root, '.dvc', 'cache'), f.md5));
      expect(ws.ino, path).toBe(cached.ino);
      expect(ws.mode & 0o222, `${path} is read-only`).toBe(0);
    }
    expect(statSync(join(root, 'run.sh')).mode & 0o777).toBe(0o555);
    expect(log.lines.join('\n')).toMatch(/placed 6 file\(s\) \(6 hardlink\)/);
    expect(await pull({ root })).toMatchObject({ placed: 0, downloadedObjects: 0, files: r.files });
  });

  it('symlink: workspace files link to the cache file by absolute path; dangling or wrong links are replaced', async () => {
    const { root, report } = await repo('[cache]\n    type = symlink\n');
    await pull({ root });
    expectData(root, report.files);
    const cacheDir = join(root, '.dvc', 'cache');
    for (const [path, f] of Object.entries(report.files)) {
      expect(lstatSync(join(root, path)).isSymbolicLink(), path).toBe(true);
      expect(readlinkSync(join(root, path)), path).toBe(cacheFile(cacheDir, f.md5));
      expect(statSync(join(root, path)).mode & 0o222, `${path} is read-only`).toBe(0);
    }
    expect(await pull({ root })).toMatchObject({ placed: 0, downloadedObjects: 0 });

    // The model's cache object gone (link dangling) and a data file linked elsewhere: both fixed.
    const model = report.files['model.bin']!.md5;
    unlinkSync(cacheFile(cacheDir, model));
    unlinkSync(join(root, 'data/a.txt'));
    symlinkSync(join(root, 'run.sh'), join(root, 'data/a.txt'));
    const r = await pull({ root });
    expect(r).toMatchObject({ placed: 2, downloadedObjects: 1 });
    expectData(root, report.files);
    expect(readlinkSync(join(root, 'model.bin'))).toBe(cacheFile(cacheDir, model));
  });

  it('falls back in the configured order when the cache is on another filesystem, and fails clearly when nothing works', async () => {
    const shm = '/dev/shm';
    expect(statSync(shm).dev, `${shm} must be a filesystem other than ${tmpdir()} for this test`).not.toBe(statSync(tmpdir()).dev);
    const cacheDir = mkdtempSync(join(shm, 'mlops-dvc-cache-'));
    otherFs.push(cacheDir);

    const { root, report } = await repo(`[cache]\n    dir = ${cacheDir}\n    type = hardlink,copy\n`);
    const log = captureLogger();
    await pull({ root, logger: log });
    expectData(root, report.files);
    expect(statSync(join(root, 'model.bin')).nlink).toBe(1);
    expect(log.lines.join('\n')).toMatch(/placed 6 file\(s\) \(6 copy\)/);

    const strict = await repo(`[cache]\n    dir = ${mkdtempSync(join(shm, 'mlops-dvc-cache-'))}\n    type = hardlink\n`);
    otherFs.push(readDvcConfig(strict.root).cacheDir);
    const before = snapshot(strict.root);
    const err = await pull({ root: strict.root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).field).toBe('cache.type');
    expect((err as UserError).file).toBe('.dvc/config');
    expect((err as UserError).message).toMatch(/none of the link types in cache.type \(hardlink\) works .*hardlink: EXDEV.*add copy to cache.type/);
    expect(snapshot(strict.root)).toEqual(before);
  });

  it('copies (the default) are writable even from read-only cache files, as DVC leaves its cache', async () => {
    const { root, report } = await repo('');
    await pull({ root });
    const cacheDir = join(root, '.dvc', 'cache');
    for (const [path, f] of Object.entries(report.files)) {
      chmodSync(cacheFile(cacheDir, f.md5), 0o444);
      unlinkSync(join(root, path));
    }
    expect(await pull({ root })).toMatchObject({ placed: 6, downloadedObjects: 0 });
    expectData(root, report.files);
    for (const path of Object.keys(report.files)) {
      const st = statSync(join(root, path));
      expect(st.nlink, path).toBe(1);
      expect(st.mode & 0o200, `${path} is writable`).not.toBe(0);
    }
  });

  it('is read as DVC reads it: a list, set in config.local too; an unknown type names the file and field', async () => {
    const root = await makeTempDir();
    writeDvcFixture({ root, remotes: {}, config: '[cache]\n    type = "hardlink", symlink\n' });
    expect(readDvcConfig(root).linkTypes).toEqual(['hardlink', 'symlink']);
    writeFileSync(join(root, '.dvc', 'config'), '');
    expect(readDvcConfig(root).linkTypes).toEqual(['reflink', 'copy']);
    writeFileSync(join(root, '.dvc', 'config.local'), '[cache]\n    type = reflink,hardlnk\n');
    const err = (() => {
      try {
        return readDvcConfig(root);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ file: '.dvc/config.local', field: 'cache.type' });
    expect((err as UserError).message).toMatch(/unsupported link type\(s\) "hardlnk"/);
  });
});
