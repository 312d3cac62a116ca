import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DvcHasher, dvcHashBytes, dvcHashFile, EMPTY_MD5, isTextBlock, md5Hex } from '../../src/lib/dvc/hash.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { pyHash, pyHashes } from './helpers.js';

afterAll(cleanupTempDirs);

const MiB = 1 << 20;
const vectors: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'lf text': Buffer.from('a,b\n1,2\n'),
  'crlf text': Buffer.from('a,b\r\n1,2\r\nlast line without newline'),
  'lone CR and CRLF': Buffer.from('a\rb\r\n\r\r\nc\n\r'),
  'binary with CRLF (NUL)': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x0d, 0x0a, 0xff]),
  'mostly high bytes, no NUL (binary by ratio)': Buffer.concat([Buffer.alloc(400, 0xe9), Buffer.from('ab\r\ncd\r\n')]),
  'utf-8 text with CRLF (text by ratio)': Buffer.from('Ünïcödé line\r\nzweite Zeile\r\nтретья\r\n'),
  // A CRLF split across the 1 MiB read boundary is NOT converted by DVC: the exact quirk we reproduce.
  'CRLF straddling 1 MiB': Buffer.concat([Buffer.alloc(MiB - 1, 'x'), Buffer.from('\r\n\r\nend\r\n')]),
  'text after binary start': Buffer.concat([Buffer.from([0]), Buffer.alloc(MiB + 10, 'a\r\n')]),
  'binary start, text later (decided on first block only)': Buffer.concat([Buffer.alloc(600, 'y'), Buffer.from([0]), Buffer.from('x\r\n')]),
};

describe('DVC hashing matches the Python reference', () => {
  const names = Object.keys(vectors);
  const plain = pyHashes(Object.values(vectors), false);
  const legacy = pyHashes(Object.values(vectors), true);
  names.forEach((name, i) => {
    it(name, () => {
      expect(dvcHashBytes(vectors[name]!, 'md5')).toBe(plain[i]);
      expect(dvcHashBytes(vectors[name]!, 'md5-dos2unix')).toBe(legacy[i]);
    });
  });

  it('is independent of how the stream is chunked', () => {
    const data = Buffer.concat([Buffer.from('head\r\n'.repeat(100)), randomBytes(3 * MiB).map((b) => (b % 3 === 0 ? 13 : b % 3 === 1 ? 10 : 65))]);
    const expected = pyHash(data, true);
    for (const size of [7, 511, 512, 513, 65536, MiB - 1, MiB + 1]) {
      const h = new DvcHasher('md5-dos2unix');
      for (let i = 0; i < data.length; i += size) h.update(data.subarray(i, i + size));
      expect(h.digest(), `chunk ${size}`).toBe(expected);
    }
    const small = data.subarray(0, 4096);
    const h = new DvcHasher('md5-dos2unix');
    for (const b of small) h.update(Buffer.from([b]));
    expect(h.digest()).toBe(pyHash(small, true));
  });

  it('hashes files on disk the same way', async () => {
    const dir = await makeTempDir();
    const data = vectors['CRLF straddling 1 MiB']!;
    writeFileSync(join(dir, 'f'), data);
    expect(await dvcHashFile(join(dir, 'f'), 'md5-dos2unix')).toEqual({ md5: pyHash(data, true), size: data.length });
    expect((await dvcHashFile(join(dir, 'f'), 'md5')).md5).toBe(pyHash(data));
  });

  it('text heuristic follows istextblock', () => {
    expect(isTextBlock(Buffer.alloc(0))).toBe(true);
    expect(isTextBlock(Buffer.from('abc\0'))).toBe(false);
    expect(isTextBlock(Buffer.concat([Buffer.alloc(70, 'a'), Buffer.alloc(30, 0xff)]))).toBe(true);
    expect(isTextBlock(Buffer.concat([Buffer.alloc(69, 'a'), Buffer.alloc(31, 0xff)]))).toBe(false);
    expect(md5Hex('')).toBe(EMPTY_MD5);
  });
});
