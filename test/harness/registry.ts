/**
 * A real OCI registry for tests, the demo and benches: Debian's `docker-registry` (distribution 2.8)
 * on 127.0.0.1 with a throw-away config and storage directory.
 *
 *   const reg = await startRegistry({ auth: { username: 'ci', password: 's3cret' } });
 *   // reg.host === '127.0.0.1:PORT'; push with insecure (plain http); read with skopeo --tls-verify=false
 *   await reg.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from './tmp.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryOptions {
  /** htpasswd (bcrypt) basic auth with this one user; default anonymous. */
  auth?: { username: string; password: string };
  /** Answer with relative Location headers (`http.relativeurls`), as some registries do. */
  relativeUrls?: boolean;
}

export interface Registry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Storage root (blobs live under docker/registry/v2). */
  storageDir: string;
  /** Everything the registry printed so far (its access log included), for assertions and debugging. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function configYaml(storageDir: string, port: number, htpasswdFile: string | undefined, relativeUrls: boolean): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(relativeUrls ? ['  relativeurls: true'] : []),
    ...(htpasswdFile ? ['auth:', '  htpasswd:', '    realm: mlops-test', `    path: ${JSON.stringify(htpasswdFile)}`] : []),
    '',
  ].join('\n');
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer /v2/ within 15 s:\n${output()}`);
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} is not installed: \`apt-get install docker-registry skopeo apache2-utils\` (.ci/run installs what the tests and benches need)`);
  }
  const dir = await makeTempDir('mlops-registry-');
  const storageDir = join(dir, 'storage');
  let htpasswdFile: string | undefined;
  if (opts.auth) {
    const r = spawnSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    htpasswdFile = join(dir, 'htpasswd');
    await writeFile(htpasswdFile, r.stdout);
  }
  // The port is picked free then handed to the registry; a rare race with another process is retried.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, configYaml(storageDir, port, htpasswdFile, opts.relativeUrls ?? false));
    const child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // A spawn failure (e.g. not executable) is reported through waitReady, not as an unhandled event.
    child.on('error', (e) => (out += `${e.message}\n`));
    const keep = (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, () => out);
    } catch (e) {
      child.kill('SIGKILL');
      if (attempt < 2 && /address already in use/.test(out)) continue;
      await removeTempDir(dir);
      throw e;
    }
    let stopped: Promise<void> | undefined;
    return {
      host: `127.0.0.1:${port}`,
      url,
      port,
      storageDir,
      log: () => out,
      stop() {
        stopped ??= (async () => {
          if (child.exitCode === null) {
            const exited = new Promise<void>((r) => child.once('exit', () => r()));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
            await exited;
            clearTimeout(timer);
          }
          await removeTempDir(dir);
        })();
        return stopped;
      },
    };
  }
}
