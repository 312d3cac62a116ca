/**
 * Pull from a local-folder remote of repositories written by the Python reference (dvc_fixture.py):
 * every expected hash comes from Python's hashlib/json, never from the code under test.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pull } from '../../src/lib/dvc/pull.js';
import { UserError } from '../../src/lib/errors.js';
import { pull as pullCommand } from '../../src/cli/commands/pull.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { type FixtureSpec, makeExampleRepo, writeDvcFixture } from '../fixtures/dvc-repo.js';
import { captureLogger, isDir, pyHash, pyHashes, snapshot } from './helpers.js';

afterAll(cleanupTempDirs);

const b64 = (bytes: number[] | Buffer) => ({ b64: Buffer.from(bytes).toString('base64') });

async function fixture(spec: Omit<FixtureSpec, 'root' | 'remotes'> & { layout?: '2' | '3' }) {
  const root = await makeTempDir('mlops-dvc-ws-');
  const remote = await makeTempDir('mlops-dvc-remote-');
  const { layout, ...rest } = spec;
  const report = writeDvcFixture({ root, remotes: { storage: { dir: remote, layout } }, ...rest });
  return { root, remote, report };
}

/** Every pulled file matches the reference md5 (and the reference md5 matches Python's md5 of the bytes). */
function expectPulled(root: string, files: Record<string, { md5: string; size: number }>, legacyPaths: string[] = []) {
  const paths = Object.keys(files).sort();
  const isLegacy = (p: string) => legacyPaths.some((l) => p === l || p.startsWith(`${l}/`));
  for (const legacy of [false, true]) {
    const group = paths.filter((p) => isLegacy(p) === legacy);
    const contents = group.map((p) => readFileSync(join(root, p)));
    const hashes = pyHashes(contents, legacy);
    group.forEach((p, i) => {
      expect(contents[i]!.length, p).toBe(files[p]!.size);
      expect(hashes[i], p).toBe(files[p]!.md5);
    });
  }
}

const richOuts = {
  dvcfiles: [
    { file: 'data/data.xml.dvc', outs: [{ path: 'data.xml', content: { repeat: '<row a="1"/>\n', times: 500 } }] },
    {
      file: 'images.dvc',
      outs: [
        {
          path: 'images',
          files: {
            'cats/1.png': b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]),
            'cats/deep/er/2.png': b64([0x89, 0x50, 0x0d, 0x0a, 0, 9]),
            'dogs/ünïcödé 名前.txt': { text: 'unicode name\n' },
            'dogs/😀.txt': { text: 'astral plane name\n' },
            'empty.txt': { text: '' },
            'a-b.txt': { text: 'sorts before a/b with code points' },
          },
        },
      ],
    },
    { file: 'empty-dir.dvc', outs: [{ path: 'empty', files: {} }] },
    { file: 'empty-file.dvc', outs: [{ path: 'nothing.bin', content: { text: '' } }] },
  ],
};

describe('pull from a local remote (DVC 3.x layout)', () => {
  it('pulls files, nested and unicode paths, empty files and dirs; a second run downloads nothing', async () => {
    const { root, report } = await fixture(richOuts);
    const log = captureLogger();
    const r = await pull({ root, logger: log });
    expectPulled(root, report.files);
    expect(isDir(join(root, 'empty'))).toBe(true);
    expect(readdirSync(join(root, 'empty'))).toEqual([]);
    expect(r.files).toBe(Object.keys(report.files).length);
    expect(r.bytes).toBe(Object.values(report.files).reduce((s, f) => s + f.size, 0));
    expect(r.downloadedObjects).toBeGreaterThan(0);
    // objects are in DVC 3.x cache layout
    const md5 = report.outs['data/data.xml']!.md5;
    expect(existsSync(join(root, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2)))).toBe(true);
    const dirMd5 = report.outs['images']!.md5;
    expect(readFileSync(join(root, '.dvc/cache/files/md5', dirMd5.slice(0, 2), dirMd5.slice(2)), 'utf8')).toBe(report.outs['images']!.listing);

    const again = await pull({ root });
    expect(again).toMatchObject({ downloadedObjects: 0, downloadedBytes: 0, placed: 0, files: r.files, bytes: r.bytes });
    // no temp files anywhere
    expect([...snapshot(root, ['.git']).keys()].filter((p) => p.includes('mlops-tmp'))).toEqual([]);
  });

  it('restores from the local cache without the remote, and re-downloads a corrupt cache object', async () => {
    const { root, remote, report } = await fixture(richOuts);
    await pull({ root });
    rmSync(join(root, 'data/data.xml'));
    rmSync(join(root, 'images'), { recursive: true });
    const md5 = report.outs['data/data.xml']!.md5;
    const cached = join(root, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
    writeFileSync(cached, 'tampered');
    const log = captureLogger();
    const r = await pull({ root, logger: log });
    expectPulled(root, report.files);
    expect(r.downloadedObjects).toBe(1);
    expect(log.lines.join('\n')).toMatch(/corrupt.*downloading it again/);
    // and with the remote gone, the cache alone suffices
    rmSync(remote, { recursive: true });
    rmSync(join(root, 'images'), { recursive: true });
    const r2 = await pull({ root });
    expect(r2.downloadedObjects).toBe(0);
    expectPulled(root, report.files);
  });

  it('replaces a workspace file that differs, keeps correct ones untouched', async () => {
    const { root, report } = await fixture(richOuts);
    await pull({ root });
    writeFileSync(join(root, 'data/data.xml'), 'edited');
    const log = captureLogger();
    const r = await pull({ root, logger: log });
    expect(r.placed).toBe(1);
    expectPulled(root, report.files);
    expect(log.lines.join('\n')).toMatch(/replacing 1 workspace file.*data\/data.xml/);
  });
});

describe('DVC 2.x outs and remotes', () => {
  const legacyOuts = {
    dvcfiles: [
      { file: 'crlf.csv.dvc', outs: [{ path: 'crlf.csv', legacy: true, content: { text: 'a,b\r\n1,2\r\n' } }] },
      { file: 'bin.dat.dvc', outs: [{ path: 'bin.dat', legacy: true, content: b64([0, 0x0d, 0x0a, 0xff, 0x0d, 0x0a]) }] },
      { file: 'modern.csv.dvc', outs: [{ path: 'modern.csv', content: { text: 'a,b\r\n1,2\r\n' } }] },
      {
        file: 'old-dir.dvc',
        outs: [{ path: 'old-dir', legacy: true, files: { 'x.txt': { text: 'x\r\ny\r\n' }, 'sub/y.bin': b64([1, 0, 0x0d, 0x0a]) } }],
      },
    ],
  };

  it('hashes 2.x outs with the dos2unix rule and finds their objects in the 2.x layout, beside 3.x outs', async () => {
    const { root, remote, report } = await fixture(legacyOuts);
    // the reference hash of CRLF text under 2.x rules differs from its plain md5
    expect(report.files['crlf.csv']!.md5).not.toBe(report.files['modern.csv']!.md5);
    expect(existsSync(join(remote, report.files['crlf.csv']!.md5.slice(0, 2)))).toBe(true);
    await pull({ root });
    expectPulled(root, report.files, ['crlf.csv', 'bin.dat', 'old-dir']);
    expect(readFileSync(join(root, 'crlf.csv'), 'utf8')).toBe('a,b\r\n1,2\r\n'); // bytes as stored, CRLF kept
    const legacyMd5 = report.files['crlf.csv']!.md5;
    expect(existsSync(join(root, '.dvc/cache', legacyMd5.slice(0, 2), legacyMd5.slice(2)))).toBe(true);
    // the 2.x .dvc file has no hash: key, as DVC 2.x writes it
    expect(readFileSync(join(root, 'crlf.csv.dvc'), 'utf8')).toBe(`outs:\n- md5: ${legacyMd5}\n  size: 10\n  path: crlf.csv\n`);
  });

  it('falls back to the 2.x layout for 3.x outs on a remote written by DVC 2.x', async () => {
    const { root, remote, report } = await fixture({ ...richOuts, layout: '2' });
    expect(existsSync(join(remote, 'files'))).toBe(false);
    await pull({ root });
    expectPulled(root, report.files);
  });
});

describe('targets', () => {
  it('selects by .dvc file, out path, file inside a directory out, stage name, and dvc.yaml:stage', async () => {
    const repo = await makeExampleRepo({ git: false });
    const root = repo.root;
    await pull({ root, targets: ['data/data.xml.dvc'] });
    expect(existsSync(join(root, 'data/data.xml'))).toBe(true);
    expect(existsSync(join(root, 'model.pkl'))).toBe(false);

    await pull({ root, targets: ['train'] });
    expect(existsSync(join(root, 'model.pkl'))).toBe(true);
    expect(existsSync(join(root, 'data/prepared'))).toBe(false);

    const r = await pull({ root, targets: ['data/prepared/test.tsv'] });
    expect(r.files).toBe(1);
    expect(existsSync(join(root, 'data/prepared/test.tsv'))).toBe(true);
    expect(existsSync(join(root, 'data/prepared/train.tsv'))).toBe(false);

    await pull({ root, targets: ['dvc.yaml:featurize'] });
    expect(readdirSync(join(root, 'data/features')).sort()).toEqual(['test.pkl', 'train.pkl']);

    await expect(pull({ root, targets: ['nope.txt'] })).rejects.toThrow(/target "nope.txt" is not/);
    // eval is `cache: false` in dvc.yaml: never pulled
    const all = await pull({ root });
    expect(all.outs.map((o) => o.path).sort()).toEqual(['data/data.xml', 'data/features', 'data/prepared', 'model.pkl']);
    expectPulled(root, repo.files);
  });

  it('the example repo is a git repo whose data is ignored, and the CLI pulls it', async () => {
    const repo = await makeExampleRepo();
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      expect(await pullCommand.run(['--repo', repo.root, '--jobs', '4', 'model.pkl'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/^1 file\(s\), 704 bytes; downloaded 1 object\(s\), 704 bytes; placed 1/);
    expectPulled(repo.root, { 'model.pkl': repo.files['model.pkl']! });
    await expect(pullCommand.run(['--repo', repo.root, '--jobs', '0'])).rejects.toThrow(/--jobs/);
  });
});

describe('remotes per out, wdir and overrides', () => {
  it('honours per-out remote, wdir, and --remote', async () => {
    const root = await makeTempDir();
    const a = await makeTempDir();
    const b = await makeTempDir();
    const report = writeDvcFixture({
      root,
      remotes: { main: { dir: a }, other: { dir: b } },
      dvcfiles: [
        { file: 'x.dvc', outs: [{ path: 'x.txt', content: { text: 'x' } }] },
        { file: 'y.dvc', outs: [{ path: 'y.txt', remote: 'other', content: { text: 'y' } }] },
        { file: 'sub/z.dvc', wdir: '..', outs: [{ path: 'z.txt', content: { text: 'z' } }] },
      ],
    });
    const r = await pull({ root });
    expect(r.files).toBe(3);
    expectPulled(root, report.files);
    expect(existsSync(join(root, 'z.txt'))).toBe(true);
    // everything in remote "main" only: --remote other fails for x.txt
    rmSync(join(root, 'x.txt'));
    rmSync(join(root, '.dvc/cache'), { recursive: true });
    await expect(pull({ root, remote: 'other', targets: ['x.txt'] })).rejects.toThrow(/missing from remote "other"/);
    await expect(pull({ root, remote: 'ghost' })).rejects.toThrow(/remote "ghost" named by the remote input is not defined/);
  });

  it('places isexec outs executable', async () => {
    const root = await makeTempDir();
    writeDvcFixture({ root, remotes: { storage: { dir: await makeTempDir() } }, dvcfiles: [{ file: 'run.sh.dvc', outs: [{ path: 'run.sh', content: { text: '#!/bin/sh\necho hi\n' } }] }] });
    writeFileSync(join(root, 'run.sh.dvc'), readFileSync(join(root, 'run.sh.dvc'), 'utf8') + '  isexec: true\n');
    await pull({ root });
    expect(statSync(join(root, 'run.sh')).mode & 0o111).not.toBe(0);
  });

  it('a folder without .dvc/ is not a DVC repository', async () => {
    await expect(pull({ root: await makeTempDir() })).rejects.toThrow(/is not a DVC repository \(no .dvc folder\)/);
  });

  it('no remote configured is a clear error', async () => {
    const root = await makeTempDir();
    writeDvcFixture({ root, config: '', remotes: {}, dvcfiles: [{ file: 'x.dvc', outs: [{ path: 'x.txt', content: { text: 'x' }, push: false }] }] });
    await expect(pull({ root })).rejects.toThrow(/no DVC remote for x.txt/);
  });
});

describe('failures leave the workspace untouched', () => {
  async function expectUntouched(root: string, run: () => Promise<unknown>, message: RegExp) {
    const before = snapshot(root);
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect(snapshot(root)).toEqual(before);
    return err as UserError;
  }

  it('a corrupt object on the remote fails naming the out and remote, before any workspace write', async () => {
    const { root, remote, report } = await fixture(richOuts);
    const md5 = report.files['images/dogs/😀.txt']!.md5;
    writeFileSync(join(remote, 'files/md5', md5.slice(0, 2), md5.slice(2)), 'not the right bytes\n');
    const e = await expectUntouched(root, () => pull({ root, jobs: 2 }), /object .* of out images \(images\.dvc\) from remote "storage" .* is corrupt/);
    expect(e.file).toBe('images.dvc');
    expect(existsSync(join(root, 'data/data.xml'))).toBe(false);
  });

  it('a missing object (404) fails naming the out and both layouts tried', async () => {
    const { root } = await fixture({ dvcfiles: [...richOuts.dvcfiles, { file: 'm.dvc', outs: [{ path: 'm.bin', content: { text: 'never pushed' }, push: false }] }] });
    await expectUntouched(root, () => pull({ root }), /object [0-9a-f]{32} of out m\.bin \(m\.dvc\) is missing from remote "storage" .*tried files\/md5\/.* and /);
  });

  it('a corrupt .dir listing is rejected', async () => {
    const { root, remote, report } = await fixture(richOuts);
    const md5 = report.outs['images']!.md5.replace('.dir', '');
    writeFileSync(join(remote, 'files/md5', md5.slice(0, 2), `${md5.slice(2)}.dir`), '[]');
    await expectUntouched(root, () => pull({ root }), /directory listing .*\.dir of out images .* is corrupt/);
  });

  it('relpaths escaping the out in a .dir listing are rejected before any write', async () => {
    for (const bad of ['../../evil.txt', '/etc/evil', 'a/../../x', 'C:/evil', '..\\evil']) {
      const root = await makeTempDir();
      const remote = await makeTempDir();
      const listing = Buffer.from(JSON.stringify([{ md5: 'd41d8cd98f00b204e9800998ecf8427e', relpath: bad }]));
      const md5 = pyHash(listing);
      mkdirSync(join(remote, 'files/md5', md5.slice(0, 2)), { recursive: true });
      writeFileSync(join(remote, 'files/md5', md5.slice(0, 2), `${md5.slice(2)}.dir`), listing);
      writeDvcFixture({ root, remotes: { storage: { dir: remote } }, dvcfiles: [{ file: 'ok.dvc', outs: [{ path: 'ok.txt', content: { text: 'ok' } }] }] });
      writeFileSync(join(root, 'd.dvc'), `outs:\n- md5: ${md5}.dir\n  size: 0\n  nfiles: 1\n  hash: md5\n  path: d\n`);
      await expectUntouched(root, () => pull({ root }), /relpath .* (contains "\.\."|is absolute).*refusing/);
    }
  });

  it('out paths escaping the repository, directly or through a symlink, are rejected', async () => {
    const root = await makeTempDir();
    const outside = await makeTempDir();
    writeDvcFixture({ root, remotes: { storage: { dir: await makeTempDir() } }, dvcfiles: [{ file: 'x.dvc', outs: [{ path: 'x.txt', content: { text: 'x' } }] }] });
    writeFileSync(join(root, 'esc.dvc'), `outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: ../../outside.txt\n`);
    await expectUntouched(root, () => pull({ root }), /path points outside the repository/);
    writeFileSync(join(root, 'esc.dvc'), `outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: /tmp/abs.txt\n`);
    await expectUntouched(root, () => pull({ root }), /is absolute/);
    symlinkSync(outside, join(root, 'link'));
    writeFileSync(join(root, 'esc.dvc'), `outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: link/inside.txt\n`);
    await expectUntouched(root, () => pull({ root }), /symlink link which points outside/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a file where DVC needs a folder (or a folder where it needs a file) is refused', async () => {
    const { root } = await fixture(richOuts);
    writeFileSync(join(root, 'images'), 'a file, not a folder');
    await expectUntouched(root, () => pull({ root }), /needs the folder images, but that is a file in the workspace/);
    rmSync(join(root, 'images'));
    mkdirSync(join(root, 'nothing.bin'));
    await expectUntouched(root, () => pull({ root }), /nothing.bin is a folder in the workspace but DVC tracks a file there/);
  });

  it('malformed .dvc and dvc.lock files fail with file and line', async () => {
    const root = await makeTempDir();
    writeDvcFixture({ root, remotes: { storage: { dir: await makeTempDir() } }, dvcfiles: [] });
    writeFileSync(join(root, 'bad.dvc'), `outs:\n- md5: nothex\n  path: a\n`);
    let e = await expectUntouched(root, () => pull({ root }), /out a: md5 "nothex" is not a 32-digit hex md5/);
    expect([e.file, e.line]).toEqual(['bad.dvc', 2]);
    writeFileSync(join(root, 'bad.dvc'), `outs: [\n`);
    e = await expectUntouched(root, () => pull({ root }), /invalid YAML/);
    expect(e.file).toBe('bad.dvc');
    rmSync(join(root, 'bad.dvc'));
    writeFileSync(join(root, 'dvc.lock'), `train:\n  cmd: x\n`);
    e = await expectUntouched(root, () => pull({ root }), /unsupported dvc.lock schema/);
    expect(e.file).toBe('dvc.lock');
  });

  it('an unreadable remote folder is an access error', async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const { root, remote } = await fixture(richOuts);
    chmodSync(join(remote, 'files'), 0o000);
    try {
      await expectUntouched(root, () => pull({ root }), /access denied|missing from remote/);
    } finally {
      chmodSync(join(remote, 'files'), 0o755);
    }
  });
});
