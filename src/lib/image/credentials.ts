/**
 * Registry credentials: explicit ones (action inputs, MLOPS_REGISTRY_USERNAME/PASSWORD) for the target
 * registry, else what `docker login` stored in docker's config.json (`auths.<host>.auth`, base64 of
 * user:password). Credential helpers (credsStore/credHelpers) are programs we do not run.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { registerSecret } from '../log.js';
import type { Credentials } from './registry-client.js';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `https://index.docker.io/v1/`, `ghcr.io`, `https://ghcr.io` -> comparable host. */
function hostOf(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return ['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host) ? 'docker.io' : host;
}

export function dockerConfigCredentials(registry: string, env: NodeJS.ProcessEnv, log?: Logger): Credentials | undefined {
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  let cfg: DockerConfig;
  try {
    cfg = JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const want = hostOf(registry);
  for (const [key, entry] of Object.entries(cfg.auths ?? {})) {
    if (hostOf(key) !== want) continue;
    let creds: Credentials | undefined;
    if (entry.auth) {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = text.indexOf(':');
      if (i > 0) creds = { username: text.slice(0, i), password: text.slice(i + 1) };
    } else if (entry.username && entry.password) {
      creds = { username: entry.username, password: entry.password };
    }
    if (creds) {
      registerSecret(creds.password);
      log?.debug(`using credentials for ${registry} from ${file}`);
      return creds;
    }
  }
  if (cfg.credHelpers?.[want] || cfg.credsStore) log?.debug(`${file} delegates ${registry} to a credential helper, which is not supported; going anonymous`);
  return undefined;
}

/**
 * The credentials resolver used by a push: explicit credentials for the target registry, docker's
 * config for any registry (the base image's included), else anonymous.
 */
export function credentialResolver(target: string, explicit: Credentials | undefined, env: NodeJS.ProcessEnv, log?: Logger) {
  return (registry: string): Credentials | undefined => {
    if (explicit && (explicit.username || explicit.password) && hostOf(registry) === hostOf(target)) return explicit;
    return dockerConfigCredentials(registry, env, log);
  };
}

/** MLOPS_REGISTRY_USERNAME / MLOPS_REGISTRY_PASSWORD, when set. */
export function envCredentials(env: NodeJS.ProcessEnv): Credentials | undefined {
  const username = env.MLOPS_REGISTRY_USERNAME ?? '';
  const password = env.MLOPS_REGISTRY_PASSWORD ?? '';
  if (!username && !password) return undefined;
  registerSecret(password);
  return { username, password };
}
