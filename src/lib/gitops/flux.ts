/**
 * Flux image-automation setter markers. A scalar followed on its line by a comment
 * `# {"$imagepolicy": "<namespace>:<policy>"}` holds the whole image reference; with a `:tag`,
 * `:name` or `:digest` suffix it holds only that part (image-automation-controller's setters). The
 * value is replaced and the marker kept. Which policy's markers are ours: the one given, else the
 * policies whose marked image (full or `:name`) is the image being bumped, else the file's only policy.
 */
import { visit, type Scalar } from 'yaml';
import { UserError } from '../errors.js';
import { formatImageRef, imageNameOf } from './image-ref.js';
import type { YamlEditor } from './yaml-edit.js';
import type { EditOptions, FormatEdit, ImageUpdate } from './types.js';

type Part = 'full' | 'tag' | 'name' | 'digest';

export interface FluxMarker {
  node: Scalar;
  policy: string;
  part: Part;
  value: string;
  line: number;
}

const POLICY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-.a-z0-9]*[a-z0-9])?)(?::(tag|name|digest))?$/;

/** Every setter marker in the file (all documents). */
export function findMarkers(ed: YamlEditor): FluxMarker[] {
  const found: FluxMarker[] = [];
  for (const doc of ed.docs) {
    visit(doc, {
      Scalar(_key, node) {
        if (!node.range) return;
        const end = node.range[1];
        const nl = ed.text.indexOf('\n', end);
        const rest = ed.text.slice(end, nl < 0 ? ed.text.length : nl).replace(/\r$/, '');
        const m = /^[ \t]+#(.*)$/.exec(rest);
        if (!m || !m[1]!.includes('$imagepolicy')) return;
        let ref: unknown;
        try {
          ref = (JSON.parse(m[1]!.trim()) as Record<string, unknown>)['$imagepolicy'];
        } catch {
          throw ed.fail(`unreadable image policy marker "#${m[1]}": expected # {"$imagepolicy": "<namespace>:<policy>"}`, node);
        }
        const pm = typeof ref === 'string' ? POLICY.exec(ref) : null;
        if (!pm) throw ed.fail(`image policy marker "${String(ref)}" is not <namespace>:<policy>[:tag|:name|:digest]`, node);
        found.push({
          node,
          policy: `${pm[1]}:${pm[3]}`,
          part: (pm[5] as Part | undefined) ?? 'full',
          value: node.value === null ? '' : String(node.value),
          line: ed.lineOf(node.range[0]),
        });
      },
    });
  }
  return found;
}

export function editFlux(ed: YamlEditor, u: ImageUpdate, opts: EditOptions): FormatEdit {
  const markers = findMarkers(ed);
  const policies = [...new Set(markers.map((m) => m.policy))];
  if (markers.length === 0) {
    throw new UserError('no Flux image policy markers (# {"$imagepolicy": "<namespace>:<policy>"}) in this file; add one on the image line', {
      file: ed.file,
    });
  }
  let chosen: string[];
  if (opts.policy) {
    if (!/^[^:]+:[^:]+$/.test(opts.policy)) throw new UserError(`policy "${opts.policy}" must be <namespace>:<policy>`, { field: 'policy' });
    if (!policies.includes(opts.policy)) {
      throw new UserError(`no marker for image policy ${opts.policy} in this file (markers: ${policies.join(', ')})`, { file: ed.file, field: 'policy' });
    }
    chosen = [opts.policy];
  } else {
    const names = new Set([u.name, u.newName].filter(Boolean));
    const byImage = markers
      .filter((m) => (m.part === 'full' && names.has(imageNameOf(m.value))) || (m.part === 'name' && names.has(m.value)))
      .map((m) => m.policy);
    chosen = [...new Set(byImage)];
    if (chosen.length === 0) {
      if (policies.length > 1) {
        throw new UserError(`markers of several image policies (${policies.join(', ')}) and none holds ${u.name}: pass the policy to update`, {
          file: ed.file,
          field: 'policy',
        });
      }
      chosen = policies;
    }
  }

  const name = u.newName ?? u.name;
  const to = formatImageRef({ name, tag: u.tag, digest: u.digest });
  const old: Partial<Record<Part, string>> = {};
  for (const m of markers.filter((x) => chosen.includes(x.policy))) {
    old[m.part] ??= m.value;
    let value: string;
    if (m.part === 'full') value = to;
    else if (m.part === 'name') value = name;
    else if (m.part === 'tag') {
      if (!u.tag) throw new UserError(`the :tag marker of ${m.policy} needs a tag`, { file: ed.file, line: m.line, field: 'tag' });
      value = u.tag;
    } else {
      if (!u.digest) throw new UserError(`the :digest marker of ${m.policy} needs a digest`, { file: ed.file, line: m.line, field: 'digest' });
      value = u.digest;
    }
    ed.setScalar(m.node, value);
  }
  const from = old.full ?? (old.name || old.tag || old.digest ? formatImageRef({ name: old.name ?? name, tag: old.tag, digest: old.digest }) : undefined);
  return { from, to };
}
