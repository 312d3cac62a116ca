/**
 * Argo CD parameter overrides, `.argocd-source-<app>.yaml` beside the app's sources (the file Argo CD
 * and argocd-image-updater write). Two shapes:
 * - `kustomize.images`: strings in `kustomize edit set image` syntax, `[name=]newName[:tag][@digest]`,
 *   matched by the name before `=` (or the image name itself when there is no `=`);
 * - `helm.parameters`: `{name, value, forcestring}` entries whose names are the Helm value paths.
 * The helm shape is used when the file already has `helm:` (or Helm paths are configured and it has
 * no `kustomize:`); otherwise kustomize.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { formatImageRef, imageNameOf } from './image-ref.js';
import { helmValues, resolvePaths } from './helm.js';
import { renderScalar, type YamlEditor } from './yaml-edit.js';
import type { EditOptions, FormatEdit, ImageUpdate } from './types.js';

/** The override string Argo CD passes to `kustomize edit set image`. */
export function argoKustomizeImage(u: ImageUpdate): string {
  const target = u.newName ? `${u.name}=${u.newName}` : u.name;
  return `${target}${u.tag ? `:${u.tag}` : ''}${u.digest ? `@${u.digest}` : ''}`;
}

/** The image name an override string applies to. */
export function argoImageName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq >= 0 ? entry.slice(0, eq) : imageNameOf(entry);
}

function overrideRef(entry: string): string {
  const eq = entry.indexOf('=');
  return eq >= 0 ? entry.slice(eq + 1) : entry;
}

export function editArgocd(ed: YamlEditor, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const root = ed.root;
  if (root !== null && !isMap(root)) throw ed.fail('expected an Argo CD source override mapping (kustomize: or helm:)', root);
  const has = (k: string) => (root ? root.has(k) : false);
  const useHelm = has('helm') || (!has('kustomize') && Boolean(opts.helm?.repository || opts.helm?.tag || opts.helm?.digest));
  return useHelm ? editHelmParameters(ed, root, u, opts) : editKustomizeImages(ed, root, u, opts);
}

function editKustomizeImages(ed: YamlEditor, root: YAMLMap | null, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const wanted = argoKustomizeImage(u);
  const to = formatImageRef({ name: u.newName ?? u.name, tag: u.tag, digest: u.digest });
  const kustomize = root?.get('kustomize', true) as Node | undefined;
  const notFound = (names: string[], at: Node | null | undefined) =>
    ed.fail(
      `no kustomize.images override for "${u.name}"${names.length ? ` (overrides: ${names.join(', ')})` : ''}. Set the environment's image_name to the name used in the file, or create: true to add it`,
      at,
      'kustomize.images',
    );
  if (kustomize === undefined || kustomize === null || (isScalar(kustomize) && kustomize.value === null)) {
    if (!opts.create) throw notFound([], kustomize ?? root);
    if (kustomize == null) ed.insertBlock(root, 'kustomize', ['images:', `- ${renderScalar(wanted)}`]);
    else throw ed.fail('"kustomize:" is empty; give it an images: list or remove it', kustomize);
    return { to };
  }
  if (!isMap(kustomize)) throw ed.fail('"kustomize" must be a mapping', kustomize, 'kustomize');
  const images = kustomize.get('images', true) as Node | undefined;
  if (images === undefined || (isScalar(images) && images.value === null)) {
    if (!opts.create) throw notFound([], images ?? kustomize);
    ed.addBlockSeq(kustomize, 'images', [renderScalar(wanted)]);
    return { to };
  }
  if (!isSeq(images)) throw ed.fail('"kustomize.images" must be a list of strings', images, 'kustomize.images');
  let from: string | undefined;
  let found = false;
  const names: string[] = [];
  for (const item of images.items) {
    if (!isScalar(item) || typeof item.value !== 'string') throw ed.fail('kustomize.images entries must be strings like name=newName:tag', item as Node, 'kustomize.images');
    names.push(argoImageName(item.value));
    if (argoImageName(item.value) !== u.name) continue;
    found = true;
    from ??= overrideRef(item.value);
    ed.setScalar(item, wanted);
  }
  if (!found) {
    if (!opts.create) throw notFound(names, images);
    ed.appendItem(images, renderScalar(wanted));
  }
  return { from, to };
}

function editHelmParameters(ed: YamlEditor, root: YAMLMap | null, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const paths = resolvePaths(opts.helm);
  const helm = root?.get('helm', true) as Node | undefined;
  if (helm !== undefined && helm !== null && !isMap(helm)) throw ed.fail('"helm" must be a mapping', helm, 'helm');
  const params = isMap(helm) ? (helm.get('parameters', true) as Node | undefined) : undefined;
  if (params !== undefined && params !== null && !isSeq(params) && !(isScalar(params) && params.value === null)) {
    throw ed.fail('"helm.parameters" must be a list of {name, value}', params, 'helm.parameters');
  }
  const entries = (isSeq(params) ? params.items : []).filter(isMap) as YAMLMap[];
  const find = (name: string) => entries.find((e) => ed.stringAt(e, 'name') === name);
  const hasDigestSlot = Boolean(opts.helm?.digest) || find(paths.digest) !== undefined;
  const values = helmValues(u, hasDigestSlot, (m) => ed.fail(m, (params as Node) ?? root));
  const read = (name: string) => {
    const e = find(name);
    return e ? ed.stringAt(e, 'value') || undefined : undefined;
  };
  const oldRepo = read(paths.repository);
  const from = oldRepo ? formatImageRef({ name: oldRepo, tag: read(paths.tag), digest: hasDigestSlot ? read(paths.digest) : undefined }) : undefined;

  const toAdd: [string, string][][] = [];
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    const entry = find(name);
    if (entry) {
      const v = entry.get('value', true) as Node | undefined;
      if (isScalar(v)) ed.setScalar(v, value);
      else if (v === undefined) ed.insertPair(entry, 'value', renderScalar(value));
      else throw ed.fail(`helm parameter ${name}: value must be a string`, v, 'helm.parameters');
      return;
    }
    if (!opts.create) {
      throw ed.fail(`no helm.parameters entry named ${name}: add it, set the environment's helm paths, or create: true`, (params as Node) ?? helm ?? root, 'helm.parameters');
    }
    // forcestring: a tag like 1.10 must reach Helm as a string, as argocd-image-updater writes it.
    toAdd.push([['name', renderScalar(name)], ['value', renderScalar(value)], ['forcestring', 'true']]);
  };
  set(paths.repository, values.repository);
  set(paths.tag, values.tag);
  if (hasDigestSlot) set(paths.digest, values.digest);
  if (toAdd.length) {
    if (isSeq(params)) for (const item of toAdd) ed.appendItem(params, item);
    else if (isMap(helm)) ed.addBlockSeq(helm, 'parameters', toAdd);
    else if (helm == null) {
      ed.insertBlock(root, 'helm', ['parameters:', ...toAdd.flatMap((f) => f.map(([k, v], i) => `${i === 0 ? '- ' : '  '}${k}: ${v}`))]);
    } else throw ed.fail('"helm:" is empty; give it a parameters: list or remove it', helm);
  }
  return { from, to: formatImageRef({ name: values.repository, tag: u.tag, digest: u.digest }) };
}
