import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Md5Sink } from '../../src/lib/dvc/hash-offload.js';
import { pyHashes } from './helpers.js';

const MiB = 1 << 20;
const root = join(import.meta.dirname, '../..');

/** Feed `data` to a sink in chunks of `size` and return its digest and byte count. */
async function sinkHash(data: Buffer, size: number, opts?: { inThread?: boolean }): Promise<{ md5: string; bytes: number }> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  const sink = new Md5Sink(opts);
  await pipeline(Readable.from(chunks), sink);
  return { md5: await sink.digest(), bytes: sink.bytes };
}

describe('Md5Sink (md5 in a worker thread) matches Python hashlib', () => {
  const sizes = [0, 1, MiB - 1, MiB, MiB + 1, 5 * MiB + 123];
  const data = sizes.map((n) => randomBytes(n));
  const expected = pyHashes(data, false);

  for (const inThread of [false, true]) {
    it(`${inThread ? 'in this thread' : 'in the worker'}: every size around the 1 MiB batch, any chunking`, async () => {
      for (const [i, d] of data.entries()) {
        for (const chunk of [7919, 65536, 3 * MiB]) {
          const r = await sinkHash(d, chunk, { inThread });
          expect(r, `${d.length} bytes in chunks of ${chunk}`).toEqual({ md5: expected[i], bytes: d.length });
        }
      }
    });
  }

  it('keeps concurrent streams apart', async () => {
    const results = await Promise.all(data.map((d) => sinkHash(d, 32768)));
    expect(results.map((r) => r.md5)).toEqual(expected);
  });

  it('digest() before the end is an error, not a wrong hash', async () => {
    const sink = new Md5Sink();
    sink.write(Buffer.from('abc'));
    await expect(sink.digest()).rejects.toThrow(/before the stream finished/);
    sink.destroy();
  });

  it('never keeps the process alive: after a digest, or a stream given up half way', () => {
    const script = `
      import { Md5Sink } from ${JSON.stringify(join(root, 'src/lib/dvc/hash-offload.ts'))};
      const done = new Md5Sink();
      done.end(Buffer.alloc(3 << 20, 1));
      await new Promise((r) => done.on('finish', r));
      console.log(await done.digest());
      const abandoned = new Md5Sink();
      abandoned.write(Buffer.alloc(3 << 20, 2));
      abandoned.destroy();
    `;
    const res = spawnSync(process.execPath, ['--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.signal).toBeNull();
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(pyHashes([Buffer.alloc(3 << 20, 1)], false)[0]);
    expect(res.status).toBe(0);
  });
});
