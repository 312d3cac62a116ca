/**
 * Test tools for the image module that do not use the code under test: a base image written as an
 * OCI layout with GNU tar and pushed by skopeo, skopeo readers, and a loopback proxy in front of the
 * registry that logs requests, injects faults, or enforces the bearer token flow with its own token
 * endpoint (distribution's own token auth needs certificates).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface BaseSpec {
  architecture: string;
  variant?: string;
  /** Files of the one rootfs layer: path -> content. */
  files: Record<string, string>;
}

/**
 * An OCI layout under `dir` with one image per spec (an index of them when there are several), tagged
 * `ref`. Returns the layout path for `skopeo copy oci:<path>:<ref>`.
 */
export async function writeOciLayout(dir: string, specs: BaseSpec[], ref = 'base'): Promise<string> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer) => {
    const d = sha(b);
    await writeFile(join(blobs, d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const descs = [];
  for (const [i, s] of specs.entries()) {
    const root = join(dir, `rootfs-${i}`);
    for (const [p, content] of Object.entries(s.files)) {
      await mkdir(join(root, p, '..'), { recursive: true });
      await writeFile(join(root, p), content);
    }
    const tarFile = join(dir, `layer-${i}.tar`);
    await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', tarFile, '.']);
    const { readFile } = await import('node:fs/promises');
    const tarBytes = await readFile(tarFile);
    await run('gzip', ['-n', '-k', tarFile]);
    const gz = await readFile(`${tarFile}.gz`);
    const layer = await put(gz);
    const config = Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture: s.architecture,
        ...(s.variant ? { variant: s.variant } : {}),
        os: 'linux',
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8'], Cmd: ['/bin/sh'], Labels: { 'base.label': 'kept' } },
        rootfs: { type: 'layers', diff_ids: [sha(tarBytes)] },
        history: [{ created: '2024-01-01T00:00:00Z', created_by: 'test base rootfs' }],
      }),
    );
    const cfg = await put(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    );
    const m = await put(manifest);
    descs.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, platform: { architecture: s.architecture, os: 'linux', ...(s.variant ? { variant: s.variant } : {}) } });
  }
  let top;
  if (descs.length === 1) {
    const { platform: _p, ...d } = descs[0]!;
    top = d;
  } else {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs }));
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...(await put(index)) };
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': ref } }] }));
  return dir;
}

export async function skopeo(args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Push an OCI layout to a registry with skopeo (all platforms; `format` v2s2 for a Docker manifest). */
export async function skopeoPush(layout: string, ref: string, dest: string, opts: { creds?: string; format?: 'oci' | 'v2s2' } = {}): Promise<void> {
  await skopeo([
    'copy',
    '--all',
    '--dest-tls-verify=false',
    ...(opts.creds ? ['--dest-creds', opts.creds] : []),
    ...(opts.format ? ['--format', opts.format] : []),
    `oci:${layout}:${ref}`,
    `docker://${dest}`,
  ]);
}

export async function inspect(ref: string, opts: { creds?: string; config?: boolean; raw?: boolean } = {}): Promise<Record<string, unknown>> {
  const out = await skopeo([
    'inspect',
    '--tls-verify=false',
    ...(opts.creds ? ['--creds', opts.creds] : []),
    ...(opts.config ? ['--config'] : []),
    ...(opts.raw ? ['--raw'] : []),
    `docker://${ref}`,
  ]);
  return JSON.parse(out) as Record<string, unknown>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** Fault that drops the connection instead of answering. */
export const DROP = -1;
/** Fault that reads the request and never answers (the client must time out). */
export const HANG = -2;

export interface ProxyOptions {
  /** Return a status to answer with instead of forwarding, or DROP (fault injection). */
  fault?: (req: { method: string; path: string }) => number | undefined;
  /**
   * Require `Authorization: Bearer` tokens from our own token endpoint, which checks these credentials
   * (and with pullOnly grants pull whatever is asked, as for a read-only account).
   */
  bearer?: { username: string; password: string; pullOnly?: boolean };
}

export interface Proxy {
  host: string;
  requests: LoggedRequest[];
  /** Scopes asked of the token endpoint, one array per token request. */
  tokenScopes: string[][];
  close(): Promise<void>;
}

/** A reverse proxy on 127.0.0.1 in front of `upstream` (host:port), keeping the Host header. */
export async function startProxy(upstream: string, opts: ProxyOptions = {}): Promise<Proxy> {
  const requests: LoggedRequest[] = [];
  const tokenScopes: string[][] = [];
  const tokens = new Map<string, string[]>();
  const [uhost, uport] = upstream.split(':');
  const agent = new http.Agent({ keepAlive: true });
  let self = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const log = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname + url.search, status });
    if (url.pathname === '/token') {
      const want = `Basic ${Buffer.from(`${opts.bearer?.username}:${opts.bearer?.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        log(401);
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const asked = url.searchParams.getAll('scope');
      tokenScopes.push(asked);
      const scopes = opts.bearer?.pullOnly ? asked.map((sc) => sc.replace(/:[^:]*$/, ':pull')) : asked;
      const token = randomBytes(16).toString('hex');
      tokens.set(token, scopes);
      log(200);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    if (opts.bearer) {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const repo = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)?.[1];
      const need = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
      const granted = m ? tokens.get(m[1]!) : undefined;
      const ok = granted && (!repo || granted.some((s) => s.startsWith(`repository:${repo}:`) && s.split(':')[2]!.split(',').includes(need)));
      if (!ok) {
        log(401);
        req.resume();
        const scope = repo ? `,scope="repository:${repo}:${need === 'push' ? 'pull,push' : 'pull'}"` : '';
        const error = granted ? ',error="insufficient_scope"' : '';
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="test-registry"${scope}${error}`, 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }
    const fault = opts.fault?.({ method: req.method ?? '', path: url.pathname + url.search });
    if (fault === DROP) {
      // Take some of the body, then cut the connection without an answer.
      log(0);
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    if (fault === HANG) {
      log(-2);
      req.resume();
      return;
    }
    if (fault) {
      log(fault);
      req.resume();
      req.on('end', () => res.writeHead(fault, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}'));
      return;
    }
    const headers = { ...req.headers };
    if (opts.bearer) delete headers.authorization;
    const up = http.request({ host: uhost, port: Number(uport), method: req.method, path: req.url, headers, agent }, (ures) => {
      log(ures.statusCode ?? 0);
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  self = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: self,
    requests,
    tokenScopes,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Requests that send blob bytes or open upload sessions. */
export function blobWrites(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => /\/blobs\/uploads\//.test(r.path) && r.method !== 'GET');
}
