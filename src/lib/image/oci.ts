/**
 * Daemonless image build and promotion over the registry API:
 * - pushImage: base image (or scratch) + layers from local paths + a new config -> pushed manifest;
 * - retagImage: the manifest of `name@digest` put under new tags (same bytes, same digest), blobs
 *   mounted or copied only when the target is another repository.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { type AddSpec, buildLayer, type BuiltLayer } from './layer.js';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  type Descriptor,
  formatPlatform,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  INDEX_TYPES,
  MANIFEST_TYPES,
  matchesPlatform,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  type Platform,
  sha256,
} from './media.js';
import { formatRef, type ImageRef, parseImageRef, repoName } from './reference.js';
import { type Credentials, type PushStats, RegistryClient, type RegistryClientOptions } from './registry-client.js';

export interface SessionOptions {
  /** Credentials per registry (undefined: anonymous). */
  credentials: (registry: string) => Credentials | undefined;
  insecure?: boolean;
  logger: Logger;
  /** Retry and chunking knobs, mostly for tests and benches. */
  client?: Pick<RegistryClientOptions, 'attempts' | 'retryBaseMs' | 'chunkSize' | 'timeoutMs'>;
}

/** One client per registry for the duration of an operation. */
export class RegistrySession {
  private readonly clients = new Map<string, RegistryClient>();
  constructor(private readonly opts: SessionOptions) {}

  client(registry: string): RegistryClient {
    let c = this.clients.get(registry);
    if (!c) {
      c = new RegistryClient({ registry, credentials: this.opts.credentials(registry), insecure: this.opts.insecure, logger: this.opts.logger, ...this.opts.client });
      this.clients.set(registry, c);
    }
    return c;
  }

  /** Blob counts summed over every registry touched. */
  stats(): PushStats {
    const total: PushStats = { blobsExisting: 0, blobsMounted: 0, blobsUploaded: 0, bytesUploaded: 0, manifestsPut: 0 };
    for (const c of this.clients.values()) for (const k of Object.keys(total) as (keyof PushStats)[]) total[k] += c.stats[k];
    return total;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

export interface PushResult {
  /** Manifest digest. */
  digest: string;
  /** `registry/name@digest`. */
  image: string;
  tags: string[];
  mediaType: string;
  stats: PushStats;
}

export interface PushOptions extends SessionOptions {
  /** Target `registry/name` (a tag or digest in it is ignored; tags come from `tags`). */
  to: string;
  /** Base image reference, or `scratch` for none. */
  base: string;
  add: AddSpec[];
  /** Folder the add paths are relative to. */
  cwd: string;
  tags: string[];
  labels: Record<string, string>;
  /** `KEY=VALUE` entries set in the config's Env (replacing the same key of the base). */
  env?: string[];
  cmd?: string[];
  /** RFC 3339 time written as config.created and history times (the commit time, for reproducibility). */
  created: string;
  platform: Platform;
}

interface ResolvedBase {
  ref?: ImageRef;
  manifest: ImageManifest;
  mediaType: string;
  config: ImageConfig;
  configMediaType: string;
  digest?: string;
}

/** Walk from a tag or digest to one platform's image manifest and its config. */
async function resolveBase(session: RegistrySession, text: string, platform: Platform): Promise<ResolvedBase> {
  if (text === 'scratch' || text === '') {
    return {
      manifest: { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: '', size: 0 }, layers: [] },
      mediaType: OCI_MANIFEST,
      config: { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
      configMediaType: OCI_CONFIG,
    };
  }
  const ref = parseImageRef(text, 'base');
  const client = session.client(ref.registry);
  let got = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
  if (INDEX_TYPES.includes(got.mediaType)) {
    const index = JSON.parse(got.bytes.toString('utf8')) as ImageIndex;
    const pick = index.manifests.find((m) => matchesPlatform(m.platform, platform));
    if (!pick) {
      const have = index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : '?')).join(', ');
      throw new UserError(`base image ${text} has no ${formatPlatform(platform)} variant (it has: ${have}): pick another platform or base`, { field: 'platform' });
    }
    got = await client.getManifest(ref.repository, pick.digest);
  }
  if (!MANIFEST_TYPES.includes(got.mediaType)) {
    throw new UserError(`base image ${text} has an unsupported manifest type ${got.mediaType} (need an OCI or Docker v2 image manifest)`, { field: 'base' });
  }
  const manifest = JSON.parse(got.bytes.toString('utf8')) as ImageManifest;
  const config = JSON.parse((await client.getBlob(ref.repository, manifest.config.digest)).toString('utf8')) as ImageConfig;
  return { ref, manifest, mediaType: got.mediaType, config, configMediaType: manifest.config.mediaType, digest: got.digest };
}

function mergeEnv(base: string[] | undefined, set: string[]): string[] {
  const out = [...(base ?? [])];
  for (const kv of set) {
    const key = kv.slice(0, kv.indexOf('=') + 1);
    if (!key) throw new UserError(`env "${kv}" must be KEY=VALUE`, { field: 'env' });
    const i = out.findIndex((e) => e.startsWith(key));
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}

/** The new image config: base config with our layers, history, labels, env and cmd. Key order kept. */
export function composeConfig(base: ImageConfig, layers: Pick<BuiltLayer, 'diffId' | 'spec'>[], o: Pick<PushOptions, 'labels' | 'env' | 'cmd' | 'created'>): ImageConfig {
  const cfg = structuredClone(base);
  cfg.created = o.created;
  const inner = (cfg.config ??= {});
  if (o.env?.length) inner.Env = mergeEnv(inner.Env, o.env);
  if (o.cmd) inner.Cmd = o.cmd;
  if (Object.keys(o.labels).length) inner.Labels = { ...(inner.Labels ?? {}), ...sortedRecord(o.labels) };
  cfg.rootfs = { type: 'layers', diff_ids: [...(base.rootfs?.diff_ids ?? []), ...layers.map((l) => l.diffId)] };
  cfg.history = [
    ...(base.history ?? []),
    ...layers.map((l) => ({ created: o.created, created_by: `mlops image add ${l.spec.src} ${l.spec.dest}`, comment: 'mlops-actions' })),
  ];
  return cfg;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Build the layers, compose the config and push everything; the same inputs give the same digest. */
export async function pushImage(o: PushOptions): Promise<PushResult> {
  const target = parseImageRef(o.to, 'image');
  if (!o.tags.length) throw new UserError('no tags to push: give at least one tag', { field: 'tags' });
  const session = new RegistrySession(o);
  const work = await mkdtemp(join(tmpdir(), 'mlops-image-'));
  try {
    const base = await resolveBase(session, o.base, o.platform);
    if (base.ref && (base.config.architecture !== o.platform.architecture || base.config.os !== o.platform.os)) {
      o.logger.warning(`base image ${o.base} is ${base.config.os}/${base.config.architecture}, not the requested ${formatPlatform(o.platform)}`);
    }
    const layers: BuiltLayer[] = [];
    for (const [i, spec] of o.add.entries()) {
      const layer = await buildLayer(spec, o.cwd, join(work, `layer-${i}.tar.gz`));
      o.logger.info(`layer ${spec.src} -> ${spec.dest}: ${layer.entries} entries, ${layer.size} bytes, ${layer.digest}`);
      layers.push(layer);
    }
    const docker = base.mediaType === DOCKER_MANIFEST;
    const config = composeConfig(base.config, layers, o);
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDesc: Descriptor = { mediaType: docker ? DOCKER_CONFIG : base.ref ? base.configMediaType : OCI_CONFIG, digest: sha256(configBytes), size: configBytes.length };
    const layerType = docker ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP;
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: base.mediaType,
      config: configDesc,
      layers: [...base.manifest.layers, ...layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size }))],
    };
    if (!docker && base.ref && base.digest) {
      manifest.annotations = { 'org.opencontainers.image.base.digest': base.digest, 'org.opencontainers.image.base.name': formatRef({ ...base.ref, digest: undefined }) };
    }
    const manifestBytes = Buffer.from(JSON.stringify(manifest));

    const dst = session.client(target.registry);
    const src = base.ref ? session.client(base.ref.registry) : undefined;
    const limit = pLimit(3);
    await Promise.all([
      ...base.manifest.layers.map((d) => limit(() => copyBlob(dst, target.repository, d, src!, base.ref!.repository, work))),
      ...layers.map((l) => limit(() => dst.pushBlob(target.repository, l, { file: l.file }))),
      limit(() => dst.pushBlob(target.repository, configDesc, { bytes: configBytes })),
    ]);
    const digest = await putTags(dst, target.repository, manifestBytes, base.mediaType, o.tags);
    const stats = session.stats();
    o.logger.info(
      `pushed ${repoName(target)}@${digest} (${o.tags.join(', ')}): ${stats.blobsUploaded} blobs uploaded (${stats.bytesUploaded} bytes), ${stats.blobsMounted} mounted, ${stats.blobsExisting} already there`,
    );
    return { digest, image: `${repoName(target)}@${digest}`, tags: o.tags, mediaType: base.mediaType, stats };
  } finally {
    session.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Manifest under every tag: the same bytes, so one digest. */
async function putTags(client: RegistryClient, repo: string, bytes: Buffer, mediaType: string, tags: string[]): Promise<string> {
  let digest = sha256(bytes);
  for (const tag of tags) digest = await client.putManifest(repo, tag, bytes, mediaType);
  return digest;
}

/**
 * Make `dst/dstRepo` hold a blob that `src/srcRepo` has: nothing when it is there, a mount inside one
 * registry, else a download to a temp file and an upload.
 */
async function copyBlob(dst: RegistryClient, dstRepo: string, d: Descriptor, src: RegistryClient, srcRepo: string, work: string): Promise<void> {
  const sameRegistry = dst.registry === src.registry;
  if (sameRegistry && dstRepo === srcRepo) {
    if (await dst.blobExists(dstRepo, d.digest)) return;
    throw new UserError(`${dst.registry}/${dstRepo} lacks blob ${d.digest} that its own manifest lists`);
  }
  const file = join(work, d.digest.replace(':', '-'));
  try {
    await dst.pushBlob(
      dstRepo,
      d,
      async () => {
        await src.downloadBlob(srcRepo, d.digest, file);
        return { file };
      },
      sameRegistry ? srcRepo : undefined,
    );
  } finally {
    await rm(file, { force: true });
  }
}

export interface RetagOptions extends SessionOptions {
  /** `registry/name@sha256:...` (a tag is accepted but the digest pins what is promoted). */
  source: string;
  /** Plain tags (same repository) or full references `registry/name:tag` (copy to that repository). */
  tags: string[];
}

/**
 * Promote without rebuilding: put the source manifest's exact bytes under new tags. In the same
 * repository that is manifest PUTs only; another repository first gets the blobs (mounted when on the
 * same registry) and, for an index, each platform manifest by digest.
 */
export async function retagImage(o: RetagOptions): Promise<PushResult> {
  const source = parseImageRef(o.source, 'source');
  if (!source.digest && !source.tag) throw new UserError(`source ${o.source} needs @sha256:<digest> (or a tag)`, { field: 'source' });
  if (!o.tags.length) throw new UserError('no tags given to re-tag to', { field: 'tags' });
  const session = new RegistrySession(o);
  const work = await mkdtemp(join(tmpdir(), 'mlops-retag-'));
  try {
    const src = session.client(source.registry);
    const got = await src.getManifest(source.repository, source.digest ?? source.tag!);
    const targets = o.tags.map((t) => {
      if (!/[/:@]/.test(t)) return { registry: source.registry, repository: source.repository, tag: t };
      const ref = parseImageRef(t, 'tags');
      if (!ref.tag) throw new UserError(`target ${t} needs a tag`, { field: 'tags' });
      return ref;
    });
    const copied = new Set<string>();
    for (const t of targets) {
      const dst = session.client(t.registry);
      const key = repoName(t);
      if (key !== repoName(source) && !copied.has(key)) {
        await copyContent(src, source.repository, dst, t.repository, got, work);
        copied.add(key);
      }
      await dst.putManifest(t.repository, t.tag!, got.bytes, got.mediaType);
      o.logger.info(`tagged ${formatRef({ ...source, tag: undefined, digest: got.digest })} as ${formatRef({ ...t, digest: undefined })}`);
    }
    const first = targets[0]!;
    const name = repoName(first);
    const sameRepo = targets.every((t) => repoName(t) === name);
    return {
      digest: got.digest,
      image: `${name}@${got.digest}`,
      tags: sameRepo ? targets.map((t) => t.tag!) : targets.map((t) => formatRef(t)),
      mediaType: got.mediaType,
      stats: session.stats(),
    };
  } finally {
    session.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Everything a manifest (or index) references, copied into another repository. */
async function copyContent(
  src: RegistryClient,
  srcRepo: string,
  dst: RegistryClient,
  dstRepo: string,
  got: { bytes: Buffer; mediaType: string },
  work: string,
): Promise<void> {
  const doc = JSON.parse(got.bytes.toString('utf8')) as Partial<ImageIndex & ImageManifest>;
  const limit = pLimit(3);
  if (INDEX_TYPES.includes(got.mediaType)) {
    for (const child of doc.manifests ?? []) {
      const sub = await src.getManifest(srcRepo, child.digest);
      await copyContent(src, srcRepo, dst, dstRepo, sub, work);
      await dst.putManifest(dstRepo, child.digest, sub.bytes, sub.mediaType);
    }
    return;
  }
  const blobs = [doc.config!, ...(doc.layers ?? [])];
  await Promise.all(blobs.map((d) => limit(() => copyBlob(dst, dstRepo, d, src, srcRepo, work))));
}
