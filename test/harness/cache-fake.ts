/**
 * A fake of the Actions cache service v2 as @actions/cache (v6) uses it:
 *  - Twirp JSON at `${ACTIONS_RESULTS_URL}twirp/github.actions.results.api.v1.CacheService/<Method>`
 *    (CreateCacheEntry, FinalizeCacheEntryUpload, GetCacheEntryDownloadURL), Bearer ACTIONS_RUNTIME_TOKEN;
 *  - a signed upload URL the Azure blob SDK writes to (Put Blob, or Put Block + Put Block List for
 *    archives over 128 MiB), in the IP-style form `http://127.0.0.1:PORT/<account>/<container>/<blob>?sig=..`;
 *  - a signed download URL the toolkit GETs (plain HTTP, with Range and HEAD support).
 * Matching follows the service: exact key, then key as a prefix, then each restore key (exact, then
 * prefix; newest entry wins), always with the same version (a hash of paths + compression method).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  /** Uploaded archive (tar + zstd or gzip); empty until uploaded. */
  data: Buffer;
  sizeBytes?: number;
  finalized: boolean;
  createdAt: number;
  blob: string;
}

export interface CacheRequest {
  method: string;
  /** Twirp method name, or 'PutBlob' | 'PutBlock' | 'PutBlockList' | 'Download'. */
  operation: string;
  status: number;
  body?: unknown;
}

export interface CacheFault {
  operation?: string;
  status: number;
  times?: number;
  hits?: number;
}

export interface CacheFake {
  url: string;
  /** Set these in the action's env (runAction opts.env) or in process.env for in-process use. */
  env: { ACTIONS_RESULTS_URL: string; ACTIONS_RUNTIME_TOKEN: string; ACTIONS_CACHE_SERVICE_V2: 'true' };
  entries: CacheEntry[];
  requests: CacheRequest[];
  /** Entry by key (finalized only), newest first. */
  find(key: string): CacheEntry | undefined;
  fault(f: CacheFault): CacheFault;
  close(): Promise<void>;
}

export async function startCacheFake(opts: { token?: string } = {}): Promise<CacheFake> {
  const token = opts.token ?? `cache-token-${randomUUID()}`;
  const entries: CacheEntry[] = [];
  const requests: CacheRequest[] = [];
  const faults: CacheFault[] = [];
  const blocks = new Map<string, Map<string, Buffer>>();
  let nextId = 1;
  let base = '';

  const blobUrl = (e: CacheEntry, perm: 'r' | 'cw') => `${base}/devstoreaccount1/actions-cache/${e.blob}?sv=2024-11-04&sr=b&sp=${perm}&sig=fake-${e.id}`;

  const lookup = (key: string, restoreKeys: string[], version: string): CacheEntry | undefined => {
    const ready = entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    const exact = ready.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const hit = ready.find((e) => e.key === prefix) ?? ready.find((e) => e.key.startsWith(prefix));
      if (hit) return hit;
    }
    return undefined;
  };

  const twirp: Record<string, (body: Record<string, unknown>) => { status: number; body: unknown }> = {
    CreateCacheEntry: (b) => {
      const key = String(b.key ?? '');
      const version = String(b.version ?? '');
      if (!key || !version) return twirpError(400, 'invalid_argument', 'key and version are required');
      if (entries.some((e) => e.key === key && e.version === version)) {
        return twirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const e: CacheEntry = { id: nextId++, key, version, data: Buffer.alloc(0), finalized: false, createdAt: Date.now(), blob: randomUUID() };
      entries.push(e);
      return { status: 200, body: { ok: true, signedUploadUrl: blobUrl(e, 'cw') } };
    },
    FinalizeCacheEntryUpload: (b) => {
      const e = entries.find((x) => x.key === b.key && x.version === b.version && !x.finalized);
      if (!e) return twirpError(404, 'not_found', 'cache entry not found');
      const size = Number(b.size_bytes);
      if (e.data.length === 0 || size !== e.data.length) {
        return { status: 200, body: { ok: false, entryId: '0', message: `uploaded size ${e.data.length} does not match size_bytes ${b.size_bytes}` } };
      }
      e.finalized = true;
      e.sizeBytes = size;
      return { status: 200, body: { ok: true, entryId: String(e.id) } };
    },
    GetCacheEntryDownloadURL: (b) => {
      const restore = Array.isArray(b.restore_keys) ? b.restore_keys.map(String) : [];
      const e = lookup(String(b.key ?? ''), restore, String(b.version ?? ''));
      if (!e) return { status: 200, body: { ok: false, signedDownloadUrl: '', matchedKey: '' } };
      return { status: 200, body: { ok: true, signedDownloadUrl: blobUrl(e, 'r'), matchedKey: e.key } };
    },
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const log: CacheRequest = { method, operation: '?', status: 0 };
    requests.push(log);
    const reply = (status: number, headers: Record<string, string>, payload?: Buffer | string) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(method === 'HEAD' ? undefined : payload);
    };
    const faulted = (op: string) => {
      const f = faults.find((x) => (x.hits ?? 0) < (x.times ?? 1) && (!x.operation || x.operation === op));
      if (!f) return false;
      f.hits = (f.hits ?? 0) + 1;
      reply(f.status, { 'content-type': 'application/json' }, JSON.stringify({ code: 'internal', msg: 'injected fault' }));
      return true;
    };

    if (url.pathname.startsWith(SERVICE)) {
      const op = url.pathname.slice(SERVICE.length);
      log.operation = op;
      if (req.headers.authorization !== `Bearer ${token}`) {
        return reply(401, { 'content-type': 'application/json' }, JSON.stringify({ code: 'unauthenticated', msg: 'invalid runtime token' }));
      }
      if (method !== 'POST' || !twirp[op]) return reply(404, { 'content-type': 'application/json' }, JSON.stringify({ code: 'bad_route', msg: `no handler for ${method} ${url.pathname}` }));
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(400, { 'content-type': 'application/json' }, JSON.stringify({ code: 'malformed', msg: 'body is not JSON' }));
      }
      log.body = parsed;
      if (faulted(op)) return;
      const out = twirp[op]!(parsed);
      return reply(out.status, { 'content-type': 'application/json' }, JSON.stringify(out.body));
    }

    const m = /^\/devstoreaccount1\/actions-cache\/([0-9a-f-]+)$/.exec(url.pathname);
    const entry = m ? entries.find((e) => e.blob === m[1]) : undefined;
    if (!entry || !url.searchParams.get('sig')) return reply(404, { 'content-type': 'application/xml' }, blobError('BlobNotFound', 'The specified blob does not exist.'));
    const azureHeaders = { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2024-11-04', date: new Date().toUTCString(), etag: `"0x${entry.id.toString(16)}"`, 'last-modified': new Date().toUTCString() };

    if (method === 'PUT') {
      if (url.searchParams.get('sp') !== 'cw' || entry.finalized) return reply(403, { 'content-type': 'application/xml' }, blobError('AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation.'));
      const comp = url.searchParams.get('comp');
      if (comp === 'block') {
        log.operation = 'PutBlock';
        if (faulted('PutBlock')) return;
        const id = url.searchParams.get('blockid') ?? '';
        const map = blocks.get(entry.blob) ?? new Map<string, Buffer>();
        map.set(id, body);
        blocks.set(entry.blob, map);
        return reply(201, { ...azureHeaders, 'x-ms-request-server-encrypted': 'true', 'content-length': '0' });
      }
      if (comp === 'blocklist') {
        log.operation = 'PutBlockList';
        if (faulted('PutBlockList')) return;
        const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((x) => x[1]!);
        const map = blocks.get(entry.blob) ?? new Map<string, Buffer>();
        const missing = ids.filter((id) => !map.has(id));
        if (missing.length) return reply(400, { 'content-type': 'application/xml' }, blobError('InvalidBlockList', 'The specified block list is invalid.'));
        entry.data = Buffer.concat(ids.map((id) => map.get(id)!));
        blocks.delete(entry.blob);
        return reply(201, { ...azureHeaders, 'x-ms-request-server-encrypted': 'true', 'content-length': '0' });
      }
      log.operation = 'PutBlob';
      if (faulted('PutBlob')) return;
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return reply(400, { 'content-type': 'application/xml' }, blobError('MissingRequiredHeader', 'x-ms-blob-type is required'));
      entry.data = body;
      return reply(201, { ...azureHeaders, 'x-ms-request-server-encrypted': 'true', 'content-length': '0' });
    }

    if (method === 'GET' || method === 'HEAD') {
      log.operation = 'Download';
      if (!entry.finalized) return reply(404, { 'content-type': 'application/xml' }, blobError('BlobNotFound', 'The specified blob does not exist.'));
      if (faulted('Download')) return;
      const headers = { ...azureHeaders, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'x-ms-blob-type': 'BlockBlob' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? req.headers['x-ms-range'] ?? ''));
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), entry.data.length - 1) : entry.data.length - 1;
        if (start >= entry.data.length) return reply(416, { 'content-range': `bytes */${entry.data.length}` });
        const part = entry.data.subarray(start, end + 1);
        return reply(206, { ...headers, 'content-length': String(part.length), 'content-range': `bytes ${start}-${end}/${entry.data.length}` }, part);
      }
      return reply(200, { ...headers, 'content-length': String(entry.data.length) }, entry.data);
    }
    return reply(405, { 'content-type': 'application/xml' }, blobError('UnsupportedHttpVerb', `${method} is not supported`));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    env: { ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: token, ACTIONS_CACHE_SERVICE_V2: 'true' },
    entries,
    requests,
    find: (key) => entries.filter((e) => e.finalized && e.key === key).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0],
    fault: (f) => {
      const fault = { times: 1, hits: 0, ...f };
      faults.push(fault);
      return fault;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function twirpError(status: number, code: string, msg: string) {
  return { status, body: { code, msg } };
}

function blobError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
