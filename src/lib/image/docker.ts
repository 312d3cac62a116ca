/**
 * docker mode: `docker buildx build --push` with labels and tags as an argument array (never a shell
 * string), the digest read back from `--metadata-file`. Argument construction is a pure function so
 * it can be tested without a daemon.
 */
import { readFile } from 'node:fs/promises';
import { exec, getExecOutput } from '@actions/exec';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Credentials } from './registry-client.js';

export interface BuildxOptions {
  context: string;
  dockerfile?: string;
  /** Full references `registry/name:tag`. */
  tags: string[];
  labels: Record<string, string>;
  platform?: string;
  metadataFile: string;
  buildArgs?: Record<string, string>;
}

export function buildxArgs(o: BuildxOptions): string[] {
  const args = ['buildx', 'build', '--push', '--metadata-file', o.metadataFile];
  if (o.dockerfile) args.push('--file', o.dockerfile);
  if (o.platform) args.push('--platform', o.platform);
  for (const [k, v] of Object.entries(o.buildArgs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.labels).sort(([a], [b]) => (a < b ? -1 : 1))) args.push('--label', `${k}=${v}`);
  for (const t of o.tags) args.push('--tag', t);
  args.push(o.context);
  return args;
}

/** True when a Docker daemon answers `docker info`. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    const r = await getExecOutput('docker', ['info', '--format', '{{.ServerVersion}}'], { silent: true, ignoreReturnCode: true });
    return r.exitCode === 0 && r.stdout.trim() !== '';
  } catch {
    return false; // no docker binary
  }
}

export async function dockerLogin(registry: string, creds: Credentials): Promise<void> {
  const code = await exec('docker', ['login', '--username', creds.username, '--password-stdin', registry], {
    input: Buffer.from(creds.password),
    ignoreReturnCode: true,
  });
  if (code !== 0) throw new UserError(`docker login to ${registry} as "${creds.username}" failed: check the registry username and password`, { field: 'password' });
}

/** Run buildx; returns the pushed digest from the metadata file. */
export async function dockerBuildPush(o: BuildxOptions, log: Logger): Promise<string> {
  log.info(`docker ${buildxArgs(o).join(' ')}`);
  const code = await exec('docker', buildxArgs(o), { ignoreReturnCode: true });
  if (code !== 0) throw new UserError(`docker buildx build failed (exit ${code}); see the build log above`, { file: o.dockerfile, field: 'dockerfile' });
  const meta = JSON.parse(await readFile(o.metadataFile, 'utf8')) as Record<string, unknown>;
  const digest = meta['containerimage.digest'];
  if (typeof digest !== 'string' || !digest.startsWith('sha256:')) throw new Error(`buildx metadata file has no containerimage.digest: ${JSON.stringify(meta).slice(0, 300)}`);
  return digest;
}
