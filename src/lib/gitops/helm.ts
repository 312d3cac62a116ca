/**
 * Helm values files: the image lives at configurable dotted paths (default `image.repository` and
 * `image.tag`; `image.digest` when the file has that key or a digest path is configured). Charts that
 * have no digest value still get a pinned image: the tag is written as `tag@digest`, which the usual
 * `{{ .Values.image.repository }}:{{ .Values.image.tag }}` template turns into a valid reference.
 */
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { formatImageRef } from './image-ref.js';
import { renderScalar, walkMaps, type Tree, type YamlEditor } from './yaml-edit.js';
import type { EditOptions, FormatEdit, HelmPaths, ImageUpdate } from './types.js';

export const DEFAULT_HELM_PATHS = { repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } as const;

export interface HelmValues {
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * The values to write under each path. `hasDigestSlot` tells whether the chart has a place for the
 * digest; without one it rides on the tag. Without a new digest the digest value is emptied, so a
 * stale pin never outlives the tag it belonged to.
 */
export function helmValues(u: ImageUpdate, hasDigestSlot: boolean, fail: (m: string) => Error): HelmValues {
  const repository = u.newName ?? u.name;
  if (hasDigestSlot) return { repository, tag: u.tag, digest: u.digest ?? '' };
  if (u.digest && !u.tag) throw fail('a digest without a tag needs a digest value in the chart: configure helm.digest (e.g. image.digest) for this environment');
  return { repository, tag: u.digest ? `${u.tag}@${u.digest}` : u.tag };
}

export function resolvePaths(h: HelmPaths | undefined): Required<HelmPaths> {
  return {
    repository: h?.repository || DEFAULT_HELM_PATHS.repository,
    tag: h?.tag || DEFAULT_HELM_PATHS.tag,
    digest: h?.digest || DEFAULT_HELM_PATHS.digest,
  };
}

export function editHelm(ed: YamlEditor, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const root = ed.root;
  if (!isMap(root)) throw ed.fail('expected a Helm values mapping', root);
  const paths = resolvePaths(opts.helm);
  const hasDigestSlot = Boolean(opts.helm?.digest) || walkMaps(root, paths.digest.split('.')).missing.length === 0;
  const values = helmValues(u, hasDigestSlot, (m) => ed.fail(m, root));

  const read = (path: string) => {
    const { node, missing } = walkMaps(root, path.split('.'));
    return missing.length === 0 && isScalar(node) && node.value !== null && node.value !== '' ? String(node.value) : undefined;
  };
  const oldRepo = read(paths.repository);
  const from = oldRepo ? formatImageRef({ name: oldRepo, tag: read(paths.tag), digest: hasDigestSlot ? read(paths.digest) : undefined }) : undefined;

  // New keys under one missing parent are added as one block, so `image:` is never written twice.
  const additions = new Map<YAMLMap, Tree>();
  const set = (path: string, value: string | undefined) => {
    if (value === undefined) return;
    const keys = path.split('.');
    const { map, node, missing } = walkMaps(root, keys);
    if (missing.length === 0) {
      if (!isScalar(node)) throw ed.fail(`${path} must be a string value`, node, path);
      ed.setScalar(node, value);
      return;
    }
    if (!opts.create) {
      throw ed.fail(`no value at ${path} in this values file: set the environment's helm paths to where the chart keeps the image, or create: true to add it`, node ?? map ?? root, path);
    }
    if (node !== undefined) throw ed.fail(`cannot add ${path}: ${keys.slice(0, keys.length - missing.length).join('.')} is not a mapping`, node, path);
    let tree = additions.get(map!) ?? {};
    additions.set(map!, tree);
    missing.forEach((k, i) => {
      if (i === missing.length - 1) tree[k] = renderScalar(value);
      else tree = (tree[k] ??= {}) as Tree;
    });
  };
  set(paths.repository, values.repository);
  set(paths.tag, values.tag);
  if (hasDigestSlot) set(paths.digest, values.digest);
  for (const [map, tree] of additions) for (const [k, v] of Object.entries(tree)) ed.insertPair(map, k, v);
  return { from, to: formatImageRef({ name: values.repository, tag: u.tag, digest: u.digest }) };
}
