/**
 * Reading objects from a DVC remote: a local folder, http(s), or s3 (and S3-compatible servers via
 * `endpointurl`). Each remote only opens one object as a byte stream; verification, retries and
 * placement live in pull.ts so every kind of remote gets the same guarantees.
 *
 * Credentials come from `.dvc/config.local` (or `.dvc/config`), then the environment:
 * - any remote option can be given as `MLOPS_DVC_REMOTE_<NAME>_<OPTION>` (name and option upper-cased,
 *   other characters as `_`), e.g. `MLOPS_DVC_REMOTE_STORAGE_PASSWORD`;
 * - s3 also reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_REGION /
 *   AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, and the shared credentials file.
 * Every credential is registered as a secret before any request is made.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AwsClient } from 'aws4fetch';
import ini from 'ini';
import { UserError } from '../errors.js';
import { discard, type HttpResponse, TransientError as NetworkError, send, type Transport } from '../http.js';
import { registerSecret } from '../log.js';
import type { RemoteConfig } from './config.js';

type FetchResult =
  | { kind: 'ok'; stream: Readable; length?: number }
  | { kind: 'missing' }
  | { kind: 'denied'; status: number }
  /** S3 only: the bucket lives in another region. */
  | { kind: 'region'; region: string };
export type OpenResult = Exclude<FetchResult, { kind: 'region' }>;

export interface Remote {
  name: string;
  /** URL without credentials, for messages. */
  display: string;
  /** Open `<url>/<key>`; throws TransientError for failures worth retrying. */
  open(key: string): Promise<OpenResult>;
}

/** A failure where trying again may succeed: 5xx, 429, dropped connection, timeout, short body. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const SECRET_OPTIONS = ['password', 'secret_access_key', 'session_token', 'access_key_id', 'custom_auth_header_value', 'token'];

/** Remote options with `MLOPS_DVC_REMOTE_<NAME>_<OPTION>` environment overrides applied. */
export function effectiveOptions(remote: RemoteConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const prefix = `MLOPS_DVC_REMOTE_${envName(remote.name)}_`;
  const options: Record<string, string> = { ...remote.options };
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && k.startsWith(prefix) && k.length > prefix.length) options[k.slice(prefix.length).toLowerCase()] = v;
  }
  return options;
}

function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export interface RemoteOptions {
  /** Connection pools for http(s) and s3 remotes (see remoteTransport). */
  transport: Transport;
  env?: NodeJS.ProcessEnv;
  /** Called with every credential value found, so the action can mask it in the runner log. */
  onSecret?: (value: string) => void;
}

export function openRemote(config: RemoteConfig, opts: RemoteOptions): Remote {
  const env = opts.env ?? process.env;
  const options = effectiveOptions(config, env);
  const secret = (v: string | undefined) => {
    if (!v) return;
    registerSecret(v);
    opts.onSecret?.(v);
  };
  for (const k of SECRET_OPTIONS) secret(options[k]);

  const url = env[`MLOPS_DVC_REMOTE_${envName(config.name)}_URL`] ?? config.url;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || scheme === 'file') return localRemote(config.name, scheme === 'file' ? fileURLToPath(url) : url);
  if (scheme === 'http' || scheme === 'https') return httpRemote(config.name, url, options, secret, opts.transport);
  if (scheme === 's3') return s3Remote(config.name, url, options, env, secret, opts.transport);
  throw new UserError(
    `remote "${config.name}" uses ${scheme}://, which this action does not read (supported: local folders, http(s)://, s3://). Use \`dvc pull\` for this remote`,
    { file: '.dvc/config', field: `remote "${config.name}".url` },
  );
}

function localRemote(name: string, dir: string): Remote {
  return {
    name,
    display: dir,
    async open(key) {
      const path = join(dir, ...key.split('/'));
      try {
        const st = await stat(path);
        if (!st.isFile()) return { kind: 'missing' };
        return { kind: 'ok', stream: createReadStream(path, { highWaterMark: 1 << 20 }), length: st.size };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'missing' };
        if ((e as NodeJS.ErrnoException).code === 'EACCES') return { kind: 'denied', status: 0 };
        throw e;
      }
    },
  };
}

function httpRemote(name: string, rawUrl: string, options: Record<string, string>, secret: (v?: string) => void, transport: Transport): Remote {
  const u = new URL(rawUrl);
  const headers: Record<string, string> = {};
  // fetch refuses URLs with credentials in them; DVC accepts them, so turn them into basic auth.
  const urlUser = decodeURIComponent(u.username);
  const urlPassword = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  secret(urlPassword);
  const user = options.user ?? (urlUser || undefined);
  const password = options.password ?? (urlPassword || undefined);
  const auth = options.auth?.toLowerCase() ?? (options.custom_auth_header ? 'custom' : user ? 'basic' : undefined);
  if (auth === 'basic') {
    if (!user) throw new UserError(`remote "${name}": auth = basic needs a user`, { file: '.dvc/config', field: `remote "${name}".user` });
    const token = Buffer.from(`${user}:${password ?? ''}`).toString('base64');
    secret(token);
    headers.authorization = `Basic ${token}`;
  } else if (auth === 'custom') {
    if (!options.custom_auth_header || password === undefined) {
      throw new UserError(`remote "${name}": auth = custom needs custom_auth_header and password (the header value), e.g. in .dvc/config.local`, {
        file: '.dvc/config',
        field: `remote "${name}".custom_auth_header`,
      });
    }
    headers[options.custom_auth_header.toLowerCase()] = password;
  } else if (auth !== undefined) {
    throw new UserError(`remote "${name}": auth = ${auth} is not supported (use basic or custom)`, { file: '.dvc/config', field: `remote "${name}".auth` });
  }
  const base = u.toString().replace(/\/+$/, '');
  return {
    name,
    display: base,
    async open(key) {
      const target = `${base}/${key}`;
      const what = `${name}: GET ${new URL(target).pathname}`;
      const result = await getObject(transport, target, headers, what, true);
      if (result.kind === 'region') throw new UserError(`${what}: unexpected redirect`);
      return result;
    },
  };
}

/**
 * GET one object over node:http(s) (the transport the image module uses too; much lighter than fetch
 * for streaming many objects) and classify the response.
 */
async function getObject(t: Transport, url: string, headers: Record<string, string>, what: string, followRedirects: boolean): Promise<FetchResult> {
  let target = url;
  let sendHeaders = headers;
  for (let hop = 0; ; hop++) {
    let res: HttpResponse;
    try {
      res = await send(t, 'GET', target, sendHeaders);
    } catch (e) {
      if (e instanceof NetworkError) throw new TransientError(`${what}: ${e.message}`, undefined, { cause: e });
      throw e;
    }
    const status = res.status;
    if (status === 200) {
      const len = res.headers['content-length'];
      return { kind: 'ok', stream: res.stream, length: len !== undefined && !res.headers['content-encoding'] ? Number(len) : undefined };
    }
    await discard(res);
    const location = res.headers.location;
    if (followRedirects && location && [301, 302, 303, 307, 308].includes(status) && hop < 5) {
      const next = new URL(location, target);
      // Credentials are for the remote's host, not for wherever it redirects (e.g. a signed storage URL).
      if (next.host !== new URL(target).host) sendHeaders = {};
      target = next.toString();
      continue;
    }
    const bucketRegion = res.headers['x-amz-bucket-region'];
    if (typeof bucketRegion === 'string' && [301, 307, 400].includes(status)) return { kind: 'region', region: bucketRegion };
    if (status === 404 || status === 410) return { kind: 'missing' };
    if (status === 401 || status === 403) return { kind: 'denied', status };
    if (status === 429 || status >= 500 || status === 408) {
      const ra = res.headers['retry-after'];
      throw new TransientError(`${what}: HTTP ${status}`, retryAfter(typeof ra === 'string' ? ra : null));
    }
    throw new UserError(`${what}: unexpected HTTP ${status}`);
  }
}

/** Connection pools for one pull, sized for its parallelism; the idle timeout also bounds a stalled body. */
export function remoteTransport(parallel: number, idleTimeoutMs: number): Transport {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: parallel }),
    https: new https.Agent({ keepAlive: true, maxSockets: parallel }),
    timeoutMs: idleTimeoutMs,
  };
}

export function describeNetworkError(e: unknown): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') return 'timed out';
  const cause = err?.cause?.code ?? err?.cause?.message;
  return cause ? `${err.message} (${cause})` : String(err?.message ?? e);
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

function s3Remote(
  name: string,
  rawUrl: string,
  options: Record<string, string>,
  env: NodeJS.ProcessEnv,
  secret: (v?: string) => void,
  transport: Transport,
): Remote {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(rawUrl);
  if (!m) throw new UserError(`remote "${name}": url ${rawUrl} is not s3://bucket/prefix`, { file: '.dvc/config', field: `remote "${name}".url` });
  const bucket = m[1]!;
  const prefix = m[2]!.replace(/\/+$/, '');
  const endpoint = (options.endpointurl ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL)?.replace(/\/+$/, '');
  let region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const creds = s3Credentials(options, env);
  secret(creds?.accessKeyId);
  secret(creds?.secretAccessKey);
  secret(creds?.sessionToken);
  const encodedKey = (key: string) => (prefix ? `${prefix}/${key}` : key).split('/').map(encodeURIComponent).join('/');
  const objectUrl = (key: string) =>
    endpoint
      ? `${endpoint}/${encodeURIComponent(bucket)}/${encodedKey(key)}`
      : bucket.includes('.')
        ? // a dotted bucket name breaks the *.s3 wildcard certificate: use path style
          `https://s3.${region}.amazonaws.com/${encodeURIComponent(bucket)}/${encodedKey(key)}`
        : `https://${bucket}.s3.${region}.amazonaws.com/${encodedKey(key)}`;
  let client = creds ? new AwsClient({ ...creds, service: 's3', region, retries: 0 }) : undefined;
  return {
    name,
    display: `s3://${bucket}${prefix ? `/${prefix}` : ''}${endpoint ? ` at ${endpoint}` : ''}`,
    async open(key) {
      const what = `${name}: GET s3://${bucket}/${prefix ? `${prefix}/` : ''}${key}`;
      for (let hop = 0; ; hop++) {
        const url = objectUrl(key);
        const signed = client ? await client.sign(url, { method: 'GET' }) : undefined;
        const headers: Record<string, string> = signed ? Object.fromEntries(signed.headers) : {};
        delete headers.host; // set by node from the URL, identical to what was signed
        const result = await getObject(transport, signed?.url ?? url, headers, what, false);
        // A bucket in another region answers with its region: follow once, as the AWS SDKs do.
        if (result.kind === 'region' && hop === 0 && result.region !== region) {
          region = result.region;
          if (creds) client = new AwsClient({ ...creds, service: 's3', region, retries: 0 });
          continue;
        }
        if (result.kind === 'region') throw new UserError(`${what}: the bucket is in region ${result.region}; set \`region\` of remote "${name}"`);
        return result;
      }
    },
  };
}

interface AwsCreds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function s3Credentials(options: Record<string, string>, env: NodeJS.ProcessEnv): AwsCreds | undefined {
  if (options.access_key_id && options.secret_access_key) {
    return { accessKeyId: options.access_key_id, secretAccessKey: options.secret_access_key, sessionToken: options.session_token };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
  }
  const file = options.credentialpath ?? env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  if (!existsSync(file)) return undefined;
  const profile = options.profile ?? env.AWS_PROFILE ?? 'default';
  const section = (ini.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>)[profile];
  if (section?.aws_access_key_id && section.aws_secret_access_key) {
    return { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, sessionToken: section.aws_session_token };
  }
  return undefined;
}
