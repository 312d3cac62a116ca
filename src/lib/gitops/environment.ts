/**
 * From mlops.yml `environments:` plus explicit overrides to one bump: which file, which format, which
 * repository and branch, which mode, and what the image entry is called in the file. The action and
 * the CLI both resolve through here, so `mlops bump --env dev` and the action agree.
 */
import { UserError } from '../errors.js';
import type { MlopsConfig } from '../config.js';
import { checkFormat, checkUpdate, detectFormat } from './edit.js';
import type { EditOptions, GitopsFormat, ImageUpdate } from './types.js';

export interface BumpInputs {
  env?: string;
  /** Image name (optionally with :tag / @digest); default mlops.yml image.name. */
  image?: string;
  newName?: string;
  tag?: string;
  digest?: string;
  path?: string;
  format?: string;
  repo?: string;
  branch?: string;
  mode?: string;
  app?: string;
  create?: boolean;
  policy?: string;
}

export interface ResolvedBump {
  env: string;
  path: string;
  format: GitopsFormat;
  /** owner/name of the GitOps repository when mlops.yml or the inputs name one. */
  repo?: string;
  branch?: string;
  mode: 'direct' | 'pr';
  app?: string;
  update: ImageUpdate;
  edit: EditOptions;
}

/** Production deploys through a reviewed pull request unless told otherwise. */
export function defaultMode(env: string): 'direct' | 'pr' {
  return env === 'production' ? 'pr' : 'direct';
}

export function resolveBump(cfg: MlopsConfig | undefined, i: BumpInputs, fileText?: (path: string) => string | undefined): ResolvedBump {
  const envName = i.env ?? '';
  const env = envName ? cfg?.environments[envName] : undefined;
  if (envName && !env && !i.path) {
    const known = Object.keys(cfg?.environments ?? {});
    throw new UserError(
      cfg
        ? `environment "${envName}" is not in mlops.yml environments (${known.join(', ') || 'none'}): add it or pass the file path`
        : `no mlops.yml to look up environment "${envName}": pass the file path and format`,
      { file: cfg ? 'mlops.yml' : undefined, field: `environments.${envName}` },
    );
  }
  const path = i.path || env?.path;
  if (!path) throw new UserError('no GitOps file: give the file path or an environment from mlops.yml', { field: 'path' });
  const imageInput = i.image || cfg?.image?.name;
  if (!imageInput) throw new UserError('no image: give the image name or set image.name in mlops.yml', { field: 'image' });
  const mode = i.mode || env?.mode || defaultMode(envName);
  if (mode !== 'direct' && mode !== 'pr') throw new UserError(`mode must be direct or pr, got "${mode}"`, { field: 'mode' });

  // The file may call the image something else (kustomize `name`); then our image becomes its newName.
  const parsed = checkUpdate({ image: imageInput, newName: i.newName, tag: i.tag, digest: i.digest });
  let update = parsed;
  if (env?.image_name && env.image_name !== parsed.name && !i.newName) {
    update = { ...parsed, name: env.image_name, newName: parsed.name };
  }
  const format = i.format ? checkFormat(i.format) : (env?.format ?? detectFormat(path, fileText?.(path)));
  return {
    env: envName,
    path,
    format,
    repo: i.repo || env?.repo,
    branch: i.branch || env?.branch,
    mode,
    app: i.app || env?.app,
    update,
    edit: { create: i.create ?? env?.create, helm: env?.helm, policy: i.policy },
  };
}
