/**
 * Image references as docker and skopeo read them: `[registry/]repository[:tag][@sha256:hex]`.
 * A first path component with a dot or a colon (or `localhost`) is a registry; otherwise the image is
 * on Docker Hub, whose API lives at registry-1.docker.io and whose one-word names live under library/.
 */
import { UserError } from '../errors.js';

export interface ImageRef {
  /** Registry as written (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** Repository path inside the registry (`acme/churn`, `library/python`). */
  repository: string;
  tag?: string;
  digest?: string;
}

const REPO_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Parse a reference; `field` names the input or flag in the error. */
export function parseImageRef(text: string, field = 'image'): ImageRef {
  const bad = (why: string) =>
    new UserError(`invalid image reference "${text}": ${why} (expected [registry/]name[:tag][@sha256:<64 hex>])`, { field });
  let rest = text.trim();
  if (!rest) throw bad('empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw bad(`digest "${digest}" is not sha256:<64 lowercase hex>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw bad(`tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = 'docker.io';
    if (!rest.includes('/')) rest = `library/${rest}`;
  }
  if (!REPO_RE.test(rest)) throw bad(`repository "${rest}" must be lowercase path components of [a-z0-9._-]`);
  return { registry, repository: rest, tag, digest };
}

/** The host the registry API answers on (Docker Hub's API is not at docker.io). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** `registry/repository` without tag or digest. */
export function repoName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

export function formatRef(ref: ImageRef): string {
  return `${repoName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** True for hosts that never leave the machine, where plain http is acceptable. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
