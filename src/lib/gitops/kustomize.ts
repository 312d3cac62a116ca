/**
 * kustomization.yaml `images:` entries, set the way `kustomize edit set image` sets them: the entry
 * whose `name` equals the image name exactly is rewritten to {name, newName?, newTag?, digest?} with
 * only the fields given (kustomize replaces the whole entry, so a stale digest or tag is dropped when
 * it is not given again); a tag and a digest together are both written (kustomize >= 5 then renders
 * `newName:newTag@digest`). An absent entry is an error unless `create` is set; then it is appended
 * (kustomize would also re-sort and re-indent the whole list, which a byte-exact edit does not).
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { formatImageRef } from './image-ref.js';
import { renderScalar, type YamlEditor } from './yaml-edit.js';
import type { EditOptions, FormatEdit, ImageUpdate } from './types.js';

const FIELDS = ['newName', 'newTag', 'digest'] as const;

export function editKustomize(ed: YamlEditor, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const root = ed.root;
  if (!isMap(root)) throw ed.fail('expected a kustomization (a mapping with an images: list)', root);
  const images = root.get('images', true) as Node | undefined;
  const want: Record<(typeof FIELDS)[number], string | undefined> = { newName: u.newName, newTag: u.tag, digest: u.digest };
  const to = formatImageRef({ name: u.newName ?? u.name, tag: u.tag, digest: u.digest });
  const newEntry = (): [string, string][] => [
    ['name', renderScalar(u.name)],
    ...FIELDS.filter((f) => want[f] !== undefined).map((f): [string, string] => [f, renderScalar(want[f]!)]),
  ];

  if (images === undefined || (isScalar(images) && images.value === null)) {
    if (!opts.create) throw missing(ed, u, [], images ?? root);
    ed.addBlockSeq(root, 'images', [newEntry()], seqIndent(ed, root));
    return { from: undefined, to };
  }
  if (!isSeq(images)) throw ed.fail('"images" must be a list of {name, newName, newTag, digest} entries', images, 'images');

  const entries = images.items.filter(isMap) as YAMLMap[];
  const matches = entries.filter((e) => ed.stringAt(e, 'name') === u.name);
  if (matches.length === 0) {
    if (!opts.create) throw missing(ed, u, entries.map((e) => ed.stringAt(e, 'name') ?? '?'), images);
    ed.appendItem(images, newEntry());
    return { from: undefined, to };
  }
  let from: string | undefined;
  for (const entry of matches) {
    from ??= formatImageRef({ name: ed.stringAt(entry, 'newName') ?? u.name, tag: ed.stringAt(entry, 'newTag'), digest: ed.stringAt(entry, 'digest') });
    for (const field of FIELDS) {
      const pair = entry.items.find((p) => isScalar(p.key) && p.key.value === field);
      const value = want[field];
      if (value === undefined) {
        if (pair) ed.removePair(entry, pair);
      } else if (pair && isScalar(pair.value)) {
        ed.setScalar(pair.value, value);
      } else if (pair) {
        throw ed.fail(`images entry "${u.name}": ${field} must be a string`, pair.value as Node, field);
      } else {
        ed.insertPair(entry, field, renderScalar(value));
      }
    }
  }
  return { from, to };
}

function missing(ed: YamlEditor, u: ImageUpdate, names: string[], at: Node | null): Error {
  const known = names.length ? ` (entries: ${names.join(', ')})` : ' (the file has no images: list)';
  return ed.fail(
    `no images entry with name "${u.name}"${known}. Set the environment's image_name to the name used in the file, or create: true to add the entry`,
    at,
    'images',
  );
}

/** How far `- ` sits right of its parent key in this file's other block lists (kustomize writes 0). */
function seqIndent(ed: YamlEditor, root: YAMLMap): number {
  for (const pair of root.items) {
    const v = pair.value;
    if (isSeq(v) && !v.flow && v.items.length && (v.items[0] as Node).range && (pair.key as Node).range) {
      const itemStart = (v.items[0] as Node).range![0];
      const dash = ed.text.lastIndexOf('-', itemStart - 1);
      const keyStart = (pair.key as Node).range![0];
      const col = (o: number) => o - (ed.text.lastIndexOf('\n', o - 1) + 1);
      return Math.max(0, col(dash) - col(keyStart));
    }
  }
  return 0;
}
