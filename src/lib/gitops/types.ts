/** Shapes shared by the GitOps format editors and the bump flow. */
export type { GitopsFormat } from '../config.js';

/** What to set. `name` is the image as the file names it (kustomize `name`, Argo CD image name). */
export interface ImageUpdate {
  name: string;
  /** Replacement repository (kustomize `newName`); the Helm repository value. */
  newName?: string;
  tag?: string;
  digest?: string;
}

export interface HelmPaths {
  /** Dotted paths in the values file (or Argo CD helm parameter names). */
  repository?: string;
  tag?: string;
  digest?: string;
}

export interface EditOptions {
  /** Add the image entry (kustomize, Argo CD) or missing keys (Helm) instead of failing. */
  create?: boolean;
  helm?: HelmPaths;
  /** Flux: the `<namespace>:<policy>` whose markers to update; inferred from the file when omitted. */
  policy?: string;
}

/** What one format editor did: the image before (when there was one) and after. */
export interface FormatEdit {
  from?: string;
  to: string;
}

export interface EditResult extends FormatEdit {
  content: string;
  changed: boolean;
}
