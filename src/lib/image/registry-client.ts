/**
 * A client for one registry's distribution API (the OCI distribution spec, as docker, skopeo and every
 * hosted registry speak it): auth (anonymous, basic, bearer token), manifests, and blobs with
 * HEAD-before-upload, cross-repository mount, monolithic or chunked upload streamed from disk.
 * Transient failures (connection drops, timeouts, 5xx, 429) are retried with bounded jittered backoff.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { messageOf, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../log.js';
import { backoffDelay, sleep, withRetry } from '../retry.js';
import { type Body, closeTransport, createTransport, discard, type HttpResponse, readBody, send, TransientError, type Transport } from '../http.js';
import { ACCEPT_MANIFESTS, sha256 } from './media.js';
import { apiHost, isLoopback } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Registry as written in the reference (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
  registry: string;
  credentials?: Credentials;
  /** Plain http instead of https (meant for loopback registries). */
  insecure?: boolean;
  logger: Logger;
  /** Attempts per request (and per blob upload session); default 5. */
  attempts?: number;
  /** First retry delay; doubles per attempt, jittered. Default 500 ms. */
  retryBaseMs?: number;
  /** Blobs larger than this are uploaded in PATCH chunks of this size; default 64 MiB. */
  chunkSize?: number;
  /** Idle timeout of one request; default 120 s. */
  timeoutMs?: number;
}

/** A blob we can (re)read from the start any number of times: a file on disk or bytes in memory. */
export type BlobSource = { file: string } | { bytes: Buffer };

export type BlobOutcome = 'exists' | 'mounted' | 'uploaded';

export interface PushStats {
  blobsExisting: number;
  blobsMounted: number;
  blobsUploaded: number;
  bytesUploaded: number;
  manifestsPut: number;
}

/** A status worth retrying (5xx, 429) that outlived its attempts, or a single-shot step inside an upload. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

interface RequestOptions {
  headers?: Record<string, string>;
  body?: Body;
  /** Token scopes this request needs, e.g. `repository:acme/app:pull,push`. */
  scopes?: string[];
  /** Statuses that count as success; anything else is an error. */
  expect: number[];
  attempts?: number;
  /** Send no Authorization (the token endpoint itself). */
  anonymous?: boolean;
  /** Human name of the operation for error messages. */
  what: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` -> scheme + params. */
export function parseChallenge(header: string): Challenge {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const params: Record<string, string> = {};
  if (!m) return { scheme: '', params };
  const re = /([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  for (const p of m[2]!.matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: m[1]!.toLowerCase(), params };
}

export class RegistryClient {
  readonly registry: string;
  readonly stats: PushStats = { blobsExisting: 0, blobsMounted: 0, blobsUploaded: 0, bytesUploaded: 0, manifestsPut: 0 };
  private readonly base: string;
  private readonly transport: Transport;
  private readonly log: Logger;
  private readonly attempts: number;
  private readonly retryBaseMs: number;
  readonly chunkSize: number;
  private readonly creds?: Credentials;
  private scheme: 'none' | 'basic' | 'bearer' = 'none';
  private bearer?: { realm: string; service?: string; token?: string; scopes: Set<string> };
  private tokenPending?: Promise<void>;

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    this.base = `${opts.insecure ? 'http' : 'https'}://${apiHost(opts.registry)}`;
    if (opts.insecure && !isLoopback(opts.registry)) {
      opts.logger.warning(`insecure: talking plain http to ${opts.registry}, which is not a loopback address`);
    }
    this.transport = createTransport(opts.timeoutMs);
    this.log = opts.logger;
    this.attempts = Math.max(1, opts.attempts ?? 5);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.chunkSize = opts.chunkSize ?? 64 * 1024 * 1024;
    this.creds = opts.credentials?.username || opts.credentials?.password ? opts.credentials : undefined;
    registerSecret(this.creds?.password);
  }

  close(): void {
    closeTransport(this.transport);
  }

  // ---- manifests ----

  /** Manifest or index by tag or digest: exact bytes, media type and digest (sha256 of the bytes). */
  async getManifest(repo: string, reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, {
      headers: { accept: ACCEPT_MANIFESTS },
      scopes: [`repository:${repo}:pull`],
      expect: [200],
      what: `read manifest ${this.registry}/${repo}:${reference}`,
    });
    const bytes = await readBody(res, 8 * 1024 * 1024);
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new UserError(`${this.registry}/${repo}@${reference}: the registry returned a manifest whose digest is ${digest}`);
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    let mediaType = type;
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!type || type === 'application/json') mediaType = parsed.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
    } catch {
      throw new UserError(`${this.registry}/${repo}:${reference}: the manifest is not JSON (content-type ${type})`);
    }
    return { bytes, mediaType, digest };
  }

  /** PUT exact manifest bytes under a tag or digest; returns the digest. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, {
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [`repository:${repo}:pull,push`],
      expect: [200, 201],
      what: `push manifest ${this.registry}/${repo}:${reference}`,
    });
    await discard(res);
    this.stats.manifestsPut++;
    const digest = sha256(bytes);
    const said = res.headers['docker-content-digest'];
    if (typeof said === 'string' && said && said !== digest) {
      throw new Error(`${this.registry}/${repo}:${reference}: registry stored digest ${said}, expected ${digest}`);
    }
    return digest;
  }

  // ---- blobs ----

  async blobExists(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, {
      scopes: [`repository:${repo}:pull`],
      expect: [200, 404],
      what: `check blob ${digest} in ${this.registry}/${repo}`,
    });
    await discard(res);
    return res.status === 200;
  }

  /** A small blob (an image config) in memory, digest verified. */
  async getBlob(repo: string, digest: string, limit = 16 * 1024 * 1024): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, {
      scopes: [`repository:${repo}:pull`],
      expect: [200],
      what: `read blob ${digest} from ${this.registry}/${repo}`,
    });
    const bytes = await readBody(res, limit);
    if (sha256(bytes) !== digest) throw new Error(`blob ${digest} from ${this.registry}/${repo} has digest ${sha256(bytes)}`);
    return bytes;
  }

  /** Stream a blob to a file, verifying its digest (used to copy between registries). */
  async downloadBlob(repo: string, digest: string, file: string): Promise<void> {
    await withRetry(
      async () => {
        const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, {
          scopes: [`repository:${repo}:pull`],
          expect: [200],
          what: `download blob ${digest} from ${this.registry}/${repo}`,
        });
        const hash = createHash('sha256');
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        try {
          await pipeline(res.stream, tap, createWriteStream(file));
        } catch (e) {
          await rm(file, { force: true });
          throw new TransientError(`download of ${digest} broke off: ${messageOf(e)}`, { cause: e });
        }
        const got = `sha256:${hash.digest('hex')}`;
        if (got !== digest) throw new TransientError(`downloaded blob ${digest} hashes to ${got}`);
      },
      { attempts: this.attempts, baseDelayMs: this.retryBaseMs, retryIf: isRetryable, onRetry: (e, n) => this.log.info(`retrying download (${n}): ${messageOf(e)}`) },
    );
  }

  /**
   * Make sure `repo` has the blob: HEAD first (skip), then a cross-repository mount when `mountFrom`
   * names a repository of this registry holding it, else upload it (`source` may be a function that
   * fetches the bytes only when they are really needed). A failed upload session is
   * abandoned and restarted from the first byte, a bounded number of times.
   */
  async pushBlob(
    repo: string,
    blob: { digest: string; size: number },
    source: BlobSource | (() => Promise<BlobSource>) | undefined,
    mountFrom?: string,
  ): Promise<BlobOutcome> {
    const where = `${this.registry}/${repo}`;
    let resolved: Promise<BlobSource> | undefined;
    const getSource = () => (resolved ??= typeof source === 'function' ? source() : Promise.resolve(source!));
    return withRetry(
      async () => {
        if (await this.blobExists(repo, blob.digest)) {
          this.stats.blobsExisting++;
          return 'exists';
        }
        let location: string;
        if (mountFrom && mountFrom !== repo) {
          const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mountFrom)}`, {
            scopes: [`repository:${repo}:pull,push`, `repository:${mountFrom}:pull`],
            expect: [201, 202],
            attempts: 1,
            what: `mount blob ${blob.digest} from ${mountFrom} into ${where}`,
          });
          await discard(res);
          if (res.status === 201) {
            this.stats.blobsMounted++;
            this.log.debug(`mounted ${blob.digest} from ${mountFrom}`);
            return 'mounted';
          }
          location = this.location(res);
        } else {
          const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, {
            scopes: [`repository:${repo}:pull,push`],
            expect: [202],
            attempts: 1,
            what: `start upload of ${blob.digest} to ${where}`,
          });
          await discard(res);
          location = this.location(res);
        }
        if (!source) throw new UserError(`${where}: blob ${blob.digest} is missing and could not be mounted from ${mountFrom ?? 'another repository'}`);
        await this.upload(repo, location, blob, await getSource());
        this.stats.blobsUploaded++;
        this.stats.bytesUploaded += blob.size;
        return 'uploaded';
      },
      {
        attempts: this.attempts,
        baseDelayMs: this.retryBaseMs,
        maxDelayMs: 10_000,
        retryIf: isRetryable,
        onRetry: (e, n, d) => this.log.info(`retrying upload of ${blob.digest.slice(0, 19)} to ${where} in ${Math.round(d)} ms (attempt ${n + 1}): ${messageOf(e)}`),
      },
    );
  }

  private async upload(repo: string, location: string, blob: { digest: string; size: number }, source: BlobSource): Promise<void> {
    const what = `upload blob ${blob.digest} to ${this.registry}/${repo}`;
    const scopes = [`repository:${repo}:pull,push`];
    const part = (start: number, end: number): Body =>
      'bytes' in source
        ? source.bytes.subarray(start, end)
        : { length: end - start, open: () => createReadStream(source.file, { start, end: end - 1, highWaterMark: 1024 * 1024 }) };
    if (blob.size > this.chunkSize) {
      // Chunked: PATCH each range to the latest Location (it carries the session state), then a PUT
      // with no body closes the session.
      for (let start = 0; start < blob.size; start += this.chunkSize) {
        const end = Math.min(blob.size, start + this.chunkSize);
        const res = await this.request('PATCH', location, {
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end - 1}` },
          body: part(start, end),
          scopes,
          expect: [202, 204],
          attempts: 1,
          what: `${what} (bytes ${start}-${end - 1})`,
        });
        await discard(res);
        location = this.location(res);
      }
      const res = await this.request('PUT', withDigest(location, blob.digest), { scopes, expect: [201, 204], attempts: 1, what });
      await discard(res);
    } else {
      const res = await this.request('PUT', withDigest(location, blob.digest), {
        headers: { 'content-type': 'application/octet-stream' },
        body: part(0, blob.size),
        scopes,
        expect: [201, 204],
        attempts: 1,
        what,
      });
      await discard(res);
    }
  }

  /** Location of an upload session, absolute or relative to the registry. */
  private location(res: HttpResponse): string {
    const loc = res.headers.location;
    if (!loc) throw new Error(`${this.registry}: upload response ${res.status} has no Location header`);
    return new URL(loc, res.url).toString();
  }

  // ---- transport, auth, retries ----

  private async request(method: string, pathOrUrl: string, opts: RequestOptions): Promise<HttpResponse> {
    let url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const attempts = opts.attempts ?? this.attempts;
    const scopes = opts.scopes ?? [];
    let sendAuth = !opts.anonymous;
    let authRounds = 0;
    let redirects = 0;
    for (let attempt = 0; ; ) {
      const headers: Record<string, string> = { ...opts.headers };
      if (sendAuth) {
        const authz = await this.authorization(scopes);
        if (authz) headers.authorization = authz;
      }
      let res: HttpResponse;
      try {
        res = await send(this.transport, method, url, headers, opts.body);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOTFOUND') throw new UserError(`registry host ${new URL(url).hostname} does not resolve: check the image name`, { field: 'image' });
        if (!(e instanceof TransientError) || ++attempt >= attempts) {
          if (e instanceof TransientError) throw e;
          throw new Error(`${opts.what}: ${messageOf(e)}`, { cause: e });
        }
        const delay = backoffDelay(attempt - 1, this.retryBaseMs, 10_000);
        this.log.info(`${opts.what}: ${messageOf(e)}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1}/${attempts})`);
        await sleep(delay);
        continue;
      }
      const s = res.status;
      if (s === 401 && sendAuth && authRounds < 2) {
        const next = this.onUnauthorized(String(res.headers['www-authenticate'] ?? ''), ++authRounds);
        if (next !== 'give-up') {
          await discard(res);
          if (next === 'token') await this.singleTokenFetch(scopes);
          continue;
        }
      }
      if ([301, 302, 303, 307, 308].includes(s) && (method === 'GET' || method === 'HEAD') && res.headers.location && redirects++ < 5) {
        await discard(res);
        const next = new URL(res.headers.location, url);
        // Blob storage behind a redirect (S3, CDN) must not see the registry token.
        if (next.host !== new URL(url).host) sendAuth = false;
        url = next.toString();
        continue;
      }
      if (s >= 500 || s === 429) {
        const text = (await readBody(res).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 300);
        const retryAfter = Number(res.headers['retry-after']);
        const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 30_000) : undefined;
        const err = new RetryableError(`${opts.what}: registry answered ${s}${text ? ` ${text.trim()}` : ''}`, s, retryAfterMs);
        if (++attempt >= attempts) throw err;
        const delay = retryAfterMs ?? backoffDelay(attempt - 1, this.retryBaseMs, 10_000);
        this.log.info(`${err.message}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1}/${attempts})`);
        await sleep(delay);
        continue;
      }
      if (opts.expect.includes(s)) return res;
      throw await this.failure(res, opts, scopes);
    }
  }

  private async failure(res: HttpResponse, opts: RequestOptions, scopes: string[]): Promise<Error> {
    const text = (await readBody(res, 1024 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
    let detail = text.trim().slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      if (parsed.errors?.length) detail = parsed.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch {
      // not a JSON error body
    }
    const who = this.creds ? ` as user "${this.creds.username}"` : ' anonymously';
    const challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
    switch (res.status) {
      case 401:
        if (challenge.params.error === 'insufficient_scope') {
          return new UserError(
            `${this.registry} refused ${opts.what}${who}: the token lacks ${challenge.params.scope ?? scopes.join(' ')} (insufficient_scope); grant the account access to the repository`,
            { field: 'image' },
          );
        }
        return new UserError(
          this.creds
            ? `${this.registry} rejected the credentials of user "${this.creds.username}" (401) for ${opts.what}: check the registry username and password (or token)`
            : `${this.registry} requires a login for ${opts.what} (401): provide registry credentials (inputs username/password, MLOPS_REGISTRY_USERNAME/MLOPS_REGISTRY_PASSWORD, or docker login)`,
          { field: 'password' },
        );
      case 403:
        return new UserError(`${this.registry} denied ${opts.what}${who} (403${detail ? `: ${detail}` : ''}): the account needs ${scopes.join(' and ') || 'access'}`);
      case 404:
        return new UserError(`${opts.what}: not found in ${this.registry} (404${detail ? `: ${detail}` : ''}): check the image name, tag or digest`);
      default:
        return new UserError(`${opts.what}: registry answered ${res.status}${detail ? ` (${detail})` : ''}`);
    }
  }

  /** The Authorization header for a request needing `scopes`, fetching a wider token when needed. */
  private async authorization(scopes: string[]): Promise<string | undefined> {
    if (this.scheme === 'basic' && this.creds) return basic(this.creds);
    if (this.scheme === 'bearer' && this.bearer) {
      while (this.tokenPending) await this.tokenPending;
      if (!this.bearer.token || !scopes.every((s) => covered(this.bearer!.scopes, s))) await this.singleTokenFetch(scopes);
      return `Bearer ${this.bearer.token}`;
    }
    return undefined;
  }

  /** What a 401 calls for: resend with basic auth, fetch a (wider) token, or report the 401. */
  private onUnauthorized(header: string, round: number): 'basic' | 'token' | 'give-up' {
    const ch = parseChallenge(header);
    if (ch.scheme === 'basic') {
      if (!this.creds || this.scheme === 'basic') return 'give-up';
      this.scheme = 'basic';
      return 'basic';
    }
    if (ch.scheme === 'bearer' && ch.params.realm) {
      // A fresh token refused again means the account lacks the scope (or the token expired twice).
      if (round > 1 && this.scheme === 'bearer' && this.bearer?.token) return 'give-up';
      this.scheme = 'bearer';
      const extra = (ch.params.scope ?? '').split(' ').filter(Boolean);
      this.bearer = { realm: ch.params.realm, service: ch.params.service, scopes: new Set([...(this.bearer?.scopes ?? []), ...extra]) };
      return 'token';
    }
    throw new UserError(`${this.registry} asked for an unsupported authentication scheme: ${header || '(no WWW-Authenticate header)'}`);
  }

  /** One token request at a time: parallel blob pushes wait for it instead of each asking. */
  private async singleTokenFetch(scopes: string[]): Promise<void> {
    while (this.tokenPending) await this.tokenPending;
    this.tokenPending = this.fetchToken(scopes).finally(() => (this.tokenPending = undefined));
    await this.tokenPending;
  }

  private async fetchToken(scopes: string[]): Promise<void> {
    const b = this.bearer!;
    const wanted = new Set([...b.scopes, ...scopes]);
    const u = new URL(b.realm);
    if (b.service) u.searchParams.set('service', b.service);
    for (const s of [...wanted].sort()) u.searchParams.append('scope', s);
    const res = await this.request('GET', u.toString(), {
      headers: this.creds ? { authorization: basic(this.creds) } : {},
      anonymous: true,
      expect: [200],
      what: `get a token from ${u.host}`,
    });
    const body = JSON.parse((await readBody(res, 1024 * 1024)).toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token endpoint ${u.host} returned no token`);
    registerSecret(token);
    b.token = token;
    b.scopes = wanted;
  }
}

/** `repository:x:pull` is covered by a granted `repository:x:pull,push`. */
function covered(granted: Set<string>, scope: string): boolean {
  if (granted.has(scope)) return true;
  const [type, name, actions] = splitScope(scope);
  return [...granted].some((g) => {
    const [t, n, a] = splitScope(g);
    return t === type && n === name && actions.every((x) => a.includes(x));
  });
}

function splitScope(scope: string): [string, string, string[]] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1).split(',')];
}

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

export function isRetryable(e: unknown): boolean {
  return e instanceof TransientError || e instanceof RetryableError;
}

export { sha256 };
