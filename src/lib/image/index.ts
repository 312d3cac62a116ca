/**
 * build-image as one call, shared by the action and the CLI: pick the mode, work out tags, labels and
 * the creation time from the source commit, then build+push (docker or oci) or re-tag.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { credentialResolver } from './credentials.js';
import { dockerAvailable, dockerBuildPush, dockerLogin } from './docker.js';
import { parseAddSpec } from './layer.js';
import { parsePlatform } from './media.js';
import { checkTags, defaultTags, ociLabels, rfc3339, type SourceInfo } from './metadata.js';
import { pushImage, retagImage, type SessionOptions } from './oci.js';
import { parseImageRef, repoName } from './reference.js';
import type { Credentials } from './registry-client.js';

export type Mode = 'auto' | 'docker' | 'oci';

export interface BuildImageRequest {
  mode: Mode;
  /** Target `registry/name`. */
  image: string;
  base?: string;
  /** `src[:dest]` entries, one layer each (oci). */
  add: string[];
  /** docker mode build context and Dockerfile. */
  context?: string;
  dockerfile?: string;
  /** Explicit tags; empty means sha-<7> and the full sha. The version is always added when given. */
  tags: string[];
  version?: string;
  labels: Record<string, string>;
  env?: string[];
  cmd?: string[];
  platform?: string;
  credentials?: Credentials;
  insecure?: boolean;
  /** Re-tag mode: `registry/name@sha256:...` to promote. */
  source?: string;
  cwd: string;
  sourceInfo: SourceInfo;
  logger: Logger;
  processEnv?: NodeJS.ProcessEnv;
  client?: SessionOptions['client'];
}

export interface BuildImageResult {
  mode: 'docker' | 'oci' | 'retag';
  digest: string;
  image: string;
  tags: string[];
  uploadedBlobs?: number;
}

function resolveTags(req: BuildImageRequest): string[] {
  const tags = req.tags.length ? [...req.tags] : defaultTags(req.sourceInfo.revision);
  if (req.version) tags.push(req.version);
  if (!tags.length) throw new UserError('no tags: give tags, a version, or run inside a git checkout so sha-<7> can be used', { field: 'tags' });
  return tags;
}

/** The commit time; SOURCE_DATE_EPOCH next; the clock only as a last resort (digest then varies). */
function creationTime(req: BuildImageRequest): string {
  if (req.sourceInfo.created) return req.sourceInfo.created;
  const epoch = req.processEnv?.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return rfc3339(new Date(Number(epoch) * 1000));
  req.logger.warning('commit time unknown (no git checkout of the revision and no SOURCE_DATE_EPOCH): using the current time, so the image digest will not be reproducible');
  return rfc3339(new Date());
}

export async function buildImage(req: BuildImageRequest): Promise<BuildImageResult> {
  const env = req.processEnv ?? process.env;
  if (!req.image && !req.source) throw new UserError('Input required and not supplied: image (or source, to re-tag)', { field: 'image' });
  // Explicit credentials belong to the registry we push to; any other registry uses docker's config.
  const pushRegistry = parseImageRef(req.image || req.source!, req.image ? 'image' : 'source').registry;
  const session: SessionOptions = {
    credentials: credentialResolver(pushRegistry, req.credentials, env, req.logger),
    insecure: req.insecure,
    logger: req.logger,
    client: req.client,
  };

  if (req.source) {
    const wanted = [...req.tags, ...(req.version ? [req.version] : [])];
    if (!wanted.length) throw new UserError('re-tag mode needs tags or a version to add to the source image', { field: 'tags' });
    // A tag written as registry/name:tag goes to that repository; plain tags follow `image`.
    const isRef = (t: string) => /[/:@]/.test(t);
    const tags = [...checkTags(wanted.filter((t) => !isRef(t))), ...wanted.filter(isRef)];
    const src = parseImageRef(req.source, 'source');
    // Promotion into another repository: the image input names where the tags go.
    const to = req.image ? parseImageRef(req.image, 'image') : src;
    const full = tags.map((t) => (isRef(t) || repoName(to) === repoName(src) ? t : `${repoName(to)}:${t}`));
    const r = await retagImage({ ...session, source: req.source, tags: full });
    return { mode: 'retag', digest: r.digest, image: `${repoName(to)}@${r.digest}`, tags, uploadedBlobs: r.stats.blobsUploaded };
  }

  const target = parseImageRef(req.image, 'image');
  if (target.tag || target.digest) throw new UserError(`image "${req.image}" must be registry/name without a tag or digest; put tags in tags`, { field: 'image' });
  const tags = checkTags(resolveTags(req));
  const labels = { ...ociLabels(req.sourceInfo, { title: target.repository.split('/').pop(), version: req.version }), ...req.labels };
  const platform = req.platform || 'linux/amd64';

  let mode: 'docker' | 'oci';
  let daemon: boolean | undefined;
  if (req.mode === 'auto') {
    // base/add only mean something to oci mode: a caller who set them wants it even on a Docker host.
    mode = req.base || req.add.length ? 'oci' : (daemon = await dockerAvailable()) ? 'docker' : 'oci';
    req.logger.info(`mode auto -> ${mode}`);
  } else mode = req.mode;

  if (mode === 'docker') {
    if (!(daemon ?? (await dockerAvailable()))) {
      throw new UserError('mode docker needs a running Docker daemon (`docker info` failed): start one, or use mode oci with base and add', { field: 'mode' });
    }
    const dir = await mkdtemp(join(tmpdir(), 'mlops-buildx-'));
    try {
      if (req.credentials?.username) await dockerLogin(target.registry, req.credentials);
      const digest = await dockerBuildPush(
        {
          context: req.context || '.',
          dockerfile: req.dockerfile || undefined,
          tags: tags.map((t) => `${repoName(target)}:${t}`),
          labels,
          platform: req.platform || undefined,
          metadataFile: join(dir, 'metadata.json'),
        },
        req.logger,
      );
      return { mode, digest, image: `${repoName(target)}@${digest}`, tags };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  if (!req.base) throw new UserError('oci mode needs a base image (or "scratch") to add layers to', { field: 'base' });
  let platformSpec;
  try {
    platformSpec = parsePlatform(platform);
  } catch (e) {
    throw new UserError((e as Error).message, { field: 'platform' });
  }
  const r = await pushImage({
    ...session,
    to: repoName(target),
    base: req.base,
    add: req.add.map((a) => parseAddSpec(a)),
    cwd: req.cwd,
    tags,
    labels,
    env: req.env,
    cmd: req.cmd,
    created: creationTime(req),
    platform: platformSpec,
  });
  return { mode, digest: r.digest, image: r.image, tags, uploadedBlobs: r.stats.blobsUploaded };
}

/** `["python", "app.py"]` (exec form) or a shell string run by `/bin/sh -c`; empty keeps the base's. */
export function parseCmd(text: string, field = 'cmd'): string[] | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (t.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new UserError(`${field} looks like a JSON array but does not parse: ${t}`, { field });
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new UserError(`${field} must be a JSON array of strings`, { field });
    return v as string[];
  }
  return ['/bin/sh', '-c', t];
}
