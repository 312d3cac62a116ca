/**
 * Container image references as the distribution reference grammar defines them
 * (github.com/distribution/reference): `[host[:port]/]path[:tag][@algo:hex]`.
 * GitOps edits validate every name, tag and digest here before writing it into a file, so a typo
 * fails the step instead of landing in a cluster as an ImagePullBackOff.
 */
import { UserError } from '../errors.js';

export interface ImageRef {
  /** Registry host (with port) when the reference names one, e.g. `localhost:5000`, `ghcr.io`. */
  registry?: string;
  /** Repository path below the registry, e.g. `acme/churn`. */
  path: string;
  /** registry + path: everything before the tag and digest. */
  name: string;
  tag?: string;
  digest?: string;
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;

const pathRe = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const domainRe = new RegExp(`^${DOMAIN}$`);
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const KNOWN_DIGESTS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const NAME_MAX = 255;

/** The first path component is a registry when it has a dot or a port, or is `localhost` (docker's rule). */
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { path: name };
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
    return { registry: first, path: name.slice(slash + 1) };
  }
  return { path: name };
}

export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

export function isValidDigest(digest: string): boolean {
  if (!digestRe.test(digest)) return false;
  const [algo, hex] = digest.split(':') as [string, string];
  const len = KNOWN_DIGESTS[algo];
  return len === undefined || (hex.length === len && /^[a-f0-9]+$/.test(hex));
}

export function isValidName(name: string): boolean {
  if (name.length === 0 || name.length > NAME_MAX) return false;
  const { registry, path } = splitRegistry(name);
  if (registry !== undefined && !domainRe.test(registry)) return false;
  return pathRe.test(path);
}

/** Parse `name[:tag][@digest]`; throws UserError naming `field` when it is not a valid reference. */
export function parseImageRef(ref: string, field = 'image'): ImageRef {
  const bad = (why: string) =>
    new UserError(`${field}: "${ref}" is not a valid image reference (${why}); expected [registry[:port]/]path[:tag][@sha256:<64 hex>]`, { field });
  if (!ref || /\s/.test(ref)) throw bad(ref ? 'contains whitespace' : 'empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isValidDigest(digest)) throw bad(`invalid digest "${digest}"`);
  }
  let tag: string | undefined;
  // A colon after the last slash separates the tag; one before it is a registry port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw bad(`invalid tag "${tag}"`);
  }
  if (!rest) throw bad('missing repository name');
  if (rest.length > NAME_MAX) throw bad(`name longer than ${NAME_MAX} characters`);
  const { registry, path } = splitRegistry(rest);
  if (registry !== undefined && !domainRe.test(registry)) throw bad(`invalid registry host "${registry}"`);
  if (!pathRe.test(path)) {
    throw bad(`invalid repository path "${path}": lowercase letters, digits and . _ - separators only`);
  }
  return { registry, path, name: rest, tag, digest };
}

/** Validate a bare repository name (no tag or digest), e.g. the `name` a kustomize entry matches. */
export function checkName(name: string, field: string): string {
  const ref = parseImageRef(name, field);
  if (ref.tag || ref.digest) throw new UserError(`${field}: "${name}" must be an image name without a tag or digest`, { field });
  return name;
}

export function checkTag(tag: string, field = 'tag'): string {
  if (!isValidTag(tag)) {
    throw new UserError(`${field}: "${tag}" is not a valid image tag (letters, digits, _ . -; at most 128 characters, not starting with . or -)`, { field });
  }
  return tag;
}

export function checkDigest(digest: string, field = 'digest'): string {
  if (!isValidDigest(digest)) {
    throw new UserError(`${field}: "${digest}" is not a valid digest (expected sha256: followed by 64 lowercase hex digits)`, { field });
  }
  return digest;
}

/** `name[:tag][@digest]`. */
export function formatImageRef(ref: { name: string; tag?: string; digest?: string }): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The name part of a possibly invalid reference (tag and digest cut off), for matching only. */
export function imageNameOf(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}
