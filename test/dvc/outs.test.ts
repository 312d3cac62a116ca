import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDvcFiles, readDvcFile, selectOuts, toRepoTarget } from '../../src/lib/dvc/outs.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

afterAll(cleanupTempDirs);

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);

async function repo(files: Record<string, string>): Promise<string> {
  const root = await makeTempDir();
  mkdirSync(join(root, '.dvc'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('reading .dvc files and dvc.lock', () => {
  it('takes wdir, cache: false and remote from the dvc.yaml beside a dvc.lock, including foreach stages', async () => {
    const root = await repo({
      'pipe/dvc.yaml': `stages:\n  train:\n    wdir: ../work\n    cmd: x\n    outs:\n    - model.pkl:\n        remote: models\n    - logs:\n        cache: false\n  build:\n    foreach: [uk, us]\n    do:\n      cmd: y \${item}\n      outs:\n      - out-\${item}.bin\n`,
      'pipe/dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: x\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: ${A}\n      size: 3\n    - path: logs\n      hash: md5\n      md5: ${B}.dir\n      size: 1\n      nfiles: 1\n  build@uk:\n    cmd: y uk\n    outs:\n    - path: out-uk.bin\n      md5: ${C}\n      size: 1\n`,
    });
    expect(await findDvcFiles(root)).toEqual(['pipe/dvc.lock']);
    const info = readDvcFile(root, 'pipe/dvc.lock');
    const outs = info.stages.flatMap((s) => s.outs);
    expect(outs.map((o) => [o.path, o.remote, o.hashMode, o.source.stage, o.source.line])).toEqual([
      ['work/model.pkl', 'models', 'md5', 'train', 6],
      ['pipe/out-uk.bin', undefined, 'md5-dos2unix', 'build@uk', 18],
    ]);
    const sel = selectOuts([info], ['pipe/dvc.yaml:build']);
    expect(sel.map((s) => s.out.path)).toEqual(['pipe/out-uk.bin']);
    expect(selectOuts([info], ['pipe/dvc.lock']).length).toBe(2);
    expect(() => selectOuts([info], ['train'])).toThrow(/target "train"/); // no dvc.yaml at the root
  });

  it('skips external (etag) and uncached outs, rejects unknown hash algorithms and bad sizes', async () => {
    const root = await repo({
      'ext.dvc': `outs:\n- etag: '"abc"'\n  path: s3://bucket/file\n`,
      'nocache.dvc': `outs:\n- md5: ${A}\n  path: x\n  cache: false\n`,
      'sha.dvc': `outs:\n- md5: ${A}\n  hash: sha256\n  path: y\n`,
      'size.dvc': `outs:\n- md5: ${A}\n  size: -1\n  path: z\n`,
    });
    expect(readDvcFile(root, 'ext.dvc').stages[0]!.outs).toEqual([]);
    expect(readDvcFile(root, 'nocache.dvc').stages[0]!.outs).toEqual([]);
    expect(() => readDvcFile(root, 'sha.dvc')).toThrow(/unsupported hash "sha256"/);
    expect(() => readDvcFile(root, 'size.dvc')).toThrow(/size must be a non-negative integer/);
  });

  it('walks the tree when the folder is not a git work tree, skipping .git, .dvc and node_modules', async () => {
    const root = await repo({
      'a.dvc': `outs:\n- md5: ${A}\n  path: a\n`,
      'deep/er/b.dvc': `outs:\n- md5: ${B}\n  path: b\n`,
      'node_modules/x/c.dvc': 'x',
      '.dvc/d.dvc': 'x',
      'sub/dvc.lock': `schema: '2.0'\nstages: {}\n`,
    });
    expect(await findDvcFiles(root)).toEqual(['a.dvc', 'deep/er/b.dvc', 'sub/dvc.lock']);
  });

  it('maps CLI targets given relative to the current folder', () => {
    expect(toRepoTarget('/r', '/r/data', 'x.csv')).toBe('data/x.csv');
    expect(toRepoTarget('/r', '/r/sub', 'dvc.yaml:train')).toBe('sub/dvc.yaml:train');
    expect(toRepoTarget('/r', '/r', 'train')).toBe('train');
    expect(toRepoTarget('/r', '/r/sub', ':train')).toBe('train');
  });
});
