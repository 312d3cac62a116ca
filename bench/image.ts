/**
 * Image push throughput on the loopback registry: one 200 MB layer blob pushed by our client (HEAD,
 * POST, streamed PUT or PATCH chunks) vs a raw `curl -T` of the same bytes to an upload URL of the
 * same registry; each trial on a fresh registry so no upload finds the blob already stored. Also the
 * time of a re-tag (manifest copy) and of building that layer (tar+gzip, not compared).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../src/lib/log.js';
import { parseAddSpec } from '../src/lib/image/layer.js';
import { pushImage, retagImage } from '../src/lib/image/oci.js';
import { RegistryClient } from '../src/lib/image/registry-client.js';
import { startRegistry } from '../test/harness/registry.js';
import type { BenchRow } from './types.js';

const run = promisify(execFile);
const SIZE = 200 * 1024 * 1024;
const TRIALS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function randomFile(file: string, size: number): Promise<string> {
  const fh = await open(file, 'w');
  const hash = createHash('sha256');
  try {
    for (let done = 0; done < size; ) {
      const chunk = randomBytes(Math.min(8 * 1024 * 1024, size - done));
      hash.update(chunk);
      await fh.write(chunk);
      done += chunk.length;
    }
  } finally {
    await fh.close();
  }
  return `sha256:${hash.digest('hex')}`;
}

async function timeOurs(file: string, digest: string, chunkSize: number): Promise<number> {
  const reg = await startRegistry();
  const client = new RegistryClient({ registry: reg.host, insecure: true, logger: silentLogger, chunkSize });
  try {
    const t0 = performance.now();
    const outcome = await client.pushBlob('bench/layer', { digest, size: SIZE }, { file });
    const ms = performance.now() - t0;
    if (outcome !== 'uploaded') throw new Error(`expected an upload, got ${outcome}`);
    return ms;
  } finally {
    client.close();
    await reg.stop();
  }
}

async function timeCurl(file: string, digest: string): Promise<number> {
  const reg = await startRegistry();
  try {
    const res = await fetch(`${reg.url}/v2/bench/layer/blobs/uploads/`, { method: 'POST' });
    await res.arrayBuffer();
    const loc = new URL(res.headers.get('location')!, reg.url).toString();
    const url = `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    const t0 = performance.now();
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', file, url]);
    const ms = performance.now() - t0;
    if (stdout.trim() !== '201') throw new Error(`curl upload answered ${stdout}`);
    return ms;
  } finally {
    await reg.stop();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = join(tmpdir(), `mlops-bench-image-${process.pid}`);
  await mkdir(join(dir, 'ctx'), { recursive: true });
  try {
    const file = join(dir, 'ctx', 'layer.bin');
    const digest = await randomFile(file, SIZE);
    // Warm the page cache so neither side pays for the first read.
    for await (const _ of createReadStream(file, { highWaterMark: 8 * 1024 * 1024 })) void _;

    const curl: number[] = [];
    const mono: number[] = [];
    const chunked: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      curl.push(await timeCurl(file, digest));
      mono.push(await timeOurs(file, digest, 1024 * 1024 * 1024));
      chunked.push(await timeOurs(file, digest, 64 * 1024 * 1024));
    }
    const base = median(curl);
    const row = (what: string, ms: number): BenchRow => ({ what, figure: secs(ms), baseline: `${secs(base)} (curl -T)`, ratio: `${(ms / base).toFixed(2)}x`, target: '<= 1.3x' });

    // Layer build and re-tag on one registry.
    const reg = await startRegistry();
    let buildMs = 0;
    const retag: number[] = [];
    try {
      await writeFile(join(dir, 'ctx', 'README'), 'bench');
      const common = { credentials: () => undefined, insecure: true, logger: silentLogger };
      const t0 = performance.now();
      const pushed = await pushImage({
        ...common,
        to: `${reg.host}/bench/app`,
        base: 'scratch',
        add: [parseAddSpec('layer.bin:/data/layer.bin')],
        cwd: join(dir, 'ctx'),
        tags: ['v1'],
        labels: {},
        created: '2026-01-01T00:00:00Z',
        platform: { os: 'linux', architecture: 'amd64' },
      });
      buildMs = performance.now() - t0;
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await retagImage({ ...common, source: `${reg.host}/bench/app@${pushed.digest}`, tags: [`promoted-${i}`] });
        retag.push(performance.now() - t);
      }
    } finally {
      await reg.stop();
    }
    return [
      row('push 200 MB layer blob, monolithic PUT (median of 3)', median(mono)),
      row('push 200 MB layer blob, 64 MiB PATCH chunks (median of 3)', median(chunked)),
      { what: 'build 200 MB layer (tar+gzip, random bytes) + push image from scratch', figure: secs(buildMs) },
      { what: 're-tag by digest (manifest GET + PUT, median of 10)', figure: `${median(retag).toFixed(1)} ms` },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
