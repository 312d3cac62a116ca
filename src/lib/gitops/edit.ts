/**
 * One entry point for the four GitOps file formats: validate the image parts, edit the text
 * byte-exactly, report what changed. Pure (text in, text out), so the API and the local git backends
 * and the CLI share it, and a moved branch is handled by calling it again on the new text.
 */
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { editArgocd } from './argocd.js';
import { editFlux } from './flux.js';
import { editHelm } from './helm.js';
import { checkDigest, checkName, checkTag, parseImageRef } from './image-ref.js';
import { editKustomize } from './kustomize.js';
import type { EditOptions, EditResult, GitopsFormat, ImageUpdate } from './types.js';
import { YamlEditor } from './yaml-edit.js';

export const FORMATS: readonly GitopsFormat[] = ['kustomize', 'helm', 'argocd', 'flux'];

export function checkFormat(format: string, field = 'format'): GitopsFormat {
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`${field}: "${format}" is not a GitOps format; use one of ${FORMATS.join(', ')}`, { field });
  }
  return format as GitopsFormat;
}

/** Guess the format from the file: Flux markers, an Argo CD override file, a kustomization, else Helm values. */
export function detectFormat(path: string, text?: string): GitopsFormat {
  const base = basename(path);
  if (text?.includes('"$imagepolicy"')) return 'flux';
  if (/^\.argocd-source(-.+)?\.ya?ml$/.test(base)) return 'argocd';
  if (/^(kustomization\.ya?ml|Kustomization)$/.test(base)) return 'kustomize';
  return 'helm';
}

/**
 * Normalise and validate what to set. `image` may carry a tag or digest (`name:tag@sha256:..`), used
 * when no separate tag/digest is given; a conflicting separate value is an error.
 */
export function checkUpdate(input: { image: string; newName?: string; tag?: string; digest?: string }): ImageUpdate {
  const ref = parseImageRef(input.image, 'image');
  const clash = (what: string, a?: string, b?: string) => {
    if (a && b && a !== b) throw new UserError(`image: ${input.image} has ${what} ${a} but ${what} ${b} was also given; give one`, { field: what });
  };
  clash('tag', ref.tag, input.tag || undefined);
  clash('digest', ref.digest, input.digest || undefined);
  const u: ImageUpdate = {
    name: ref.name,
    newName: input.newName ? checkName(input.newName, 'new-name') : undefined,
    tag: input.tag ? checkTag(input.tag) : ref.tag,
    digest: input.digest ? checkDigest(input.digest) : ref.digest,
  };
  if (!u.newName && !u.tag && !u.digest) {
    throw new UserError(`nothing to set for ${u.name}: give a tag, a digest or a new name`, { field: 'tag' });
  }
  return u;
}

/**
 * Apply `update` to a file's text. `text` undefined means the file does not exist: only an Argo CD
 * override file may be created (with `create`), as Argo CD itself does.
 */
export function editImage(format: GitopsFormat, text: string | undefined, file: string, update: ImageUpdate, opts: EditOptions = {}): EditResult {
  if (text === undefined) {
    if (!(format === 'argocd' && opts.create)) {
      throw new UserError(`${file} not found: check the environment's path (and repo/branch)${format === 'argocd' ? ', or set create: true to write a new override file' : ''}`, { file });
    }
    text = '';
  }
  const ed = new YamlEditor(text, file);
  const edit =
    format === 'kustomize'
      ? editKustomize(ed, update, opts)
      : format === 'helm'
        ? editHelm(ed, update, opts)
        : format === 'argocd'
          ? editArgocd(ed, update, opts)
          : editFlux(ed, update, opts);
  const content = ed.result();
  return { ...edit, content, changed: content !== text };
}
