/**
 * Image references as GitOps files write them. Validation is the image module's grammar
 * (src/lib/image/reference.ts, one implementation); what this adds is the name *as written*: a file
 * saying `nginx` must keep saying `nginx`, not the normalised `docker.io/library/nginx` a registry
 * client needs.
 */
import { UserError } from '../errors.js';
import { isDigest, isValidTag, parseImageRef as parseRegistryRef } from '../image/reference.js';

export interface WrittenRef {
  /** Everything before the tag and digest, exactly as given (`localhost:5000/acme/churn`, `churn`). */
  name: string;
  tag?: string;
  digest?: string;
}

/** The name part of a possibly invalid reference (tag and digest cut off), for matching only. */
export function imageNameOf(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/** Parse and validate `name[:tag][@digest]`; throws UserError naming `field`. */
export function parseImageRef(ref: string, field = 'image'): WrittenRef {
  if (/\s/.test(ref)) throw new UserError(`invalid image reference "${ref}": contains whitespace`, { field });
  const parsed = parseRegistryRef(ref, field);
  return { name: imageNameOf(ref), tag: parsed.tag, digest: parsed.digest };
}

/** A bare repository name (no tag or digest), e.g. the `name` a kustomize entry matches. */
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
  if (!isDigest(digest)) throw new UserError(`${field}: "${digest}" is not a valid digest (expected sha256: followed by 64 lowercase hex digits)`, { field });
  return digest;
}

/** `name[:tag][@digest]`. */
export function formatImageRef(ref: { name: string; tag?: string; digest?: string }): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
