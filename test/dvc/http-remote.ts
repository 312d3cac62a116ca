/**
 * A DVC http remote for tests and the bench: serves a folder over node:http on 127.0.0.1 (ephemeral
 * port), optionally behind basic auth or a custom header, with injectable faults per request path.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Fault =
  /** Answer 500 this many times, then serve normally. */
  | { kind: 'fail'; times: number; status?: number; retryAfter?: string }
  /** Send the headers and half the body, then destroy the socket (this many times). */
  | { kind: 'drop'; times: number }
  /** Send a short body with a correct content-length header claiming more (this many times). */
  | { kind: 'short'; times: number }
  /** Trickle the body in small pieces with a delay between them. */
  | { kind: 'slow'; chunk: number; delayMs: number }
  /** Serve these bytes instead of the file. */
  | { kind: 'replace'; body: Buffer };

export interface HttpRemote {
  url: string;
  /** Requests seen, as `METHOD path status`. */
  log: string[];
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

export async function startHttpRemote(
  dir: string,
  opts: { basic?: { user: string; password: string }; header?: { name: string; value: string } } = {},
): Promise<HttpRemote> {
  const faults = new Map<string, Fault>();
  const log: string[] = [];
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const answer = (status: number, body = '') => {
      log.push(`${req.method} ${path} ${status}`);
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    };
    if (opts.basic) {
      const expected = `Basic ${Buffer.from(`${opts.basic.user}:${opts.basic.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return answer(401, 'unauthorized');
    }
    if (opts.header && req.headers[opts.header.name.toLowerCase()] !== opts.header.value) return answer(403, 'forbidden');
    const fault = faults.get(path);
    if (fault?.kind === 'fail' && fault.times > 0) {
      fault.times--;
      log.push(`${req.method} ${path} ${fault.status ?? 500}`);
      res.writeHead(fault.status ?? 500, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end('boom');
      return;
    }
    const file = join(dir, ...path.split('/').filter(Boolean));
    let size: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) return answer(404, 'not found');
      size = st.size;
    } catch {
      return answer(404, 'not found');
    }
    log.push(`${req.method} ${path} 200`);
    if (fault?.kind === 'replace') {
      res.writeHead(200, { 'content-length': fault.body.length }).end(fault.body);
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') return res.end();
    if ((fault?.kind === 'drop' || fault?.kind === 'short') && fault.times > 0) {
      fault.times--;
      const half = Math.floor(size / 2);
      const stream = createReadStream(file, { start: 0, end: Math.max(0, half - 1) });
      stream.on('data', (c) => res.write(c));
      stream.on('end', () => (fault.kind === 'drop' ? res.socket?.destroy() : res.socket?.end()));
      return;
    }
    if (fault?.kind === 'slow') {
      const stream = createReadStream(file, { highWaterMark: fault.chunk });
      stream.on('data', (c) => {
        stream.pause();
        res.write(c);
        setTimeout(() => stream.resume(), fault.delayMs);
      });
      stream.on('end', () => res.end());
      return;
    }
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    faults,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
