import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Md5Sink } from '../../src/lib/dvc/hash-offload.js';
import { pyHashes } from './helpers.js';

const MiB = 1 << 20;
const root = join(import.meta.dirname, '../..');

/** Feed `data` to a sink in chunks of `size` and return its digest and byte count. */
async function sinkHash(data: Buffer, size: number, opts?: { inThread?: boolean; path?: string }): Promise<{ md5: string; bytes: number }> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  const sink = new Md5Sink(opts);
  try {
    await pipeline(Readable.from(chunks), sink);
    return { md5: await sink.digest(), bytes: sink.bytes };
  } finally {
    await sink.close();
  }
}

const openFds = () => readdirSync('/proc/self/fd').length;
const work = mkdtempSync(join(tmpdir(), 'mlops-md5sink-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

  for (const inThread of [false, true]) {
    it(`${inThread ? 'in this thread' : 'in the worker'}: with a path, the file holds exactly the bytes`, async () => {
      for (const [i, d] of data.entries()) {
        for (const chunk of [7919, 3 * MiB]) {
          const path = join(work, `out-${i}-${chunk}`);
          const r = await sinkHash(d, chunk, { inThread, path });
          expect(r.md5).toBe(expected[i]);
          expect(readFileSync(path).equals(d), `${d.length} bytes in chunks of ${chunk}`).toBe(true);
        }
      }
    });

    it(`${inThread ? 'in this thread' : 'in the worker'}: a failed write (ENOSPC) fails the stream with the write's code; close() closes`, async () => {
      const before = openFds();
      const sink = new Md5Sink({ inThread, path: '/dev/full' });
      const err = await pipeline(Readable.from([randomBytes(3 * MiB), randomBytes(MiB)]), sink).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENOSPC', syscall: 'write' });
      await sink.close();
      expect(openFds()).toBe(before);
    });
  }

  it('a file that cannot be created fails the stream with the open error', async () => {
    const sink = new Md5Sink({ path: join(work, 'no-such-dir', 'f') });
    const err = await pipeline(Readable.from([Buffer.from('x')]), sink).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await sink.close();
  });

  it('close() of a stream given up half way waits for its writes in flight, then closes the file', async () => {
    const before = openFds();
    const path = join(work, 'abandoned');
    const sink = new Md5Sink({ path });
    sink.write(randomBytes(3 * MiB + 5));
    // Past the open: batches are on their way to the worker when the stream is given up.
    await new Promise((r) => setImmediate(r));
    await sink.close();
    expect(openFds()).toBe(before);
    // Whatever reached the file, nothing is written after close(): its size no longer changes.
    const size = readFileSync(path).length;
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(path).length).toBe(size);
  });

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
      const toFile = new Md5Sink({ path: ${JSON.stringify(join(tmpdir(), `mlops-md5sink-exit-${process.pid}`))} });
      toFile.write(Buffer.alloc(3 << 20, 3));
      await toFile.close();
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
