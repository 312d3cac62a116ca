/**
 * One HTTP exchange over node:http(s) with keep-alive pools, for the OCI registry client and DVC's
 * http/s3 remotes (not the GitHub API, which goes through Octokit). Request bodies stream from disk,
 * so a layer is never held in memory. Retries, auth and redirects are the callers' concern
 * (image/registry-client.ts, dvc/remotes.ts); this file only classifies failures as transient
 * (worth a retry) or not.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/** A request body: bytes, or a stream factory (called again on every retry) with its exact length. */
export type Body = Buffer | { length: number; open: () => Readable };

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The response itself, unread; use readBody() or pipe it. */
  stream: http.IncomingMessage;
  url: string;
}

/** A failure where trying again may succeed: connection dropped, refused, timed out. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export interface Transport {
  http: http.Agent;
  https: https.Agent;
  /** Idle socket timeout per request. */
  timeoutMs: number;
}

export function createTransport(timeoutMs = 120_000): Transport {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
    timeoutMs,
  };
}

export function closeTransport(t: Transport): void {
  t.http.destroy();
  t.https.destroy();
}

export function send(t: Transport, method: string, url: string, headers: Record<string, string>, body?: Body): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const isHttps = u.protocol === 'https:';
    const len = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.length;
    const hdrs: Record<string, string> = { 'user-agent': 'mlops-actions', ...headers };
    if (body !== undefined || method === 'PUT' || method === 'POST' || method === 'PATCH') hdrs['content-length'] = String(len);
    const req = (isHttps ? https : http).request(
      u,
      { method, headers: hdrs, agent: isHttps ? t.https : t.http },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res, url }),
    );
    req.setTimeout(t.timeoutMs, () => req.destroy(new TransientError(`${method} ${u.host}${u.pathname}: no response for ${t.timeoutMs / 1000} s`)));
    req.on('error', (e) => reject(isTransientNetworkError(e) ? new TransientError(`${method} ${u.host}${u.pathname}: ${e.message}`, { cause: e }) : e));
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const src = body.open();
      src.on('error', (e) => req.destroy(e));
      // A registry may answer (401, 4xx) and close before reading the whole body: stop reading the file.
      req.once('close', () => src.destroy());
      src.pipe(req);
    }
  });
}

export async function readBody(res: HttpResponse, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.stream) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new Error(`response from ${res.url} is larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    if (isTransientNetworkError(e)) throw new TransientError(`reading ${res.url}: ${(e as Error).message}`, { cause: e });
    throw e;
  }
  return Buffer.concat(chunks);
}

/** Drain and forget a response body so its socket returns to the pool. */
export async function discard(res: HttpResponse): Promise<void> {
  try {
    res.stream.resume();
    await new Promise<void>((r) => {
      if (res.stream.complete) return r();
      res.stream.once('end', () => r());
      res.stream.once('close', () => r());
      res.stream.once('error', () => r());
    });
  } catch {
    // the socket is discarded by the agent anyway
  }
}

function isTransientNetworkError(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  const code = (e as { code?: string }).code ?? '';
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET'].includes(code) ||
    /socket hang up|aborted/i.test((e as Error).message ?? '')
  );
}
