/**
 * What we ship that GitHub will parse: reusable workflows, this repo's own workflows, every
 * action.yml (JavaScript and composite), and the caller workflows in action-templates/. The checks run
 * over an in-memory map (relative path -> text) so tests can swap one file for a deliberately bad one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { parseYaml, type LocatedYaml } from '../yaml.js';

export type FileMap = Map<string, string>;

/** Repository-relative paths, `/`-separated. */
export const WORKFLOW_DIR = '.github/workflows';
export const ACTIONS_DIR = 'actions';
export const TEMPLATES_DIR = 'action-templates';

/**
 * How a user repo (and our own templates) spell this toolkit in `uses:`. The owner differs per fork,
 * so any owner is accepted; the repository name is the anchor.
 */
export const TOOLKIT_REPO_NAME = 'mlops-actions';

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Every file the checks look at, read from a repository checkout. */
export function loadShippedFiles(root: string): FileMap {
  const files: FileMap = new Map();
  const add = (rel: string) => files.set(rel, readFileSync(join(root, rel), 'utf8'));
  for (const f of listDir(join(root, WORKFLOW_DIR))) if (/\.ya?ml$/.test(f)) add(`${WORKFLOW_DIR}/${f}`);
  for (const d of listDir(join(root, ACTIONS_DIR))) {
    for (const m of ['action.yml', 'action.yaml']) {
      const rel = `${ACTIONS_DIR}/${d}/${m}`;
      if (existsSync(join(root, rel))) add(rel);
    }
  }
  const walk = (rel: string) => {
    for (const f of listDir(join(root, rel))) {
      const child = `${rel}/${f}`;
      if (statSync(join(root, child)).isDirectory()) walk(child);
      else if (/\.(ya?ml|json)$/.test(f)) add(child);
    }
  };
  walk(TEMPLATES_DIR);
  return files;
}

export const isWorkflowFile = (p: string) => p.startsWith(`${WORKFLOW_DIR}/`) && /\.ya?ml$/.test(p);
export const isActionFile = (p: string) => /^actions\/[^/]+\/action\.ya?ml$/.test(p);

/** A template is a caller workflow when its YAML has `jobs:` (mlops.yml and GitOps files do not). */
export function isTemplateWorkflow(p: string, text: string): boolean {
  return p.startsWith(`${TEMPLATES_DIR}/`) && /\.ya?ml$/.test(p) && /^jobs:/m.test(text);
}

export interface ParsedFile<T = Record<string, unknown>> {
  path: string;
  text: string;
  yaml: LocatedYaml<T>;
}

/** Parse one shipped YAML file; a syntax error becomes a UserError naming file and line. */
export function parseShipped<T = Record<string, unknown>>(path: string, text: string): ParsedFile<T> {
  const yaml = parseYaml<T>(text, path);
  if (yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) {
    throw new UserError('expected a mapping at the top level', { file: path, line: 1 });
  }
  return { path, text, yaml };
}

/** Where a step's `uses:` points inside this repository, or undefined for third-party actions. */
export function localActionPath(uses: string): string | undefined {
  let m = /^\$\/(actions\/[^@]+?)\/?$/.exec(uses) ?? /^\.\/(actions\/[^@]+?)\/?$/.exec(uses);
  if (!m) m = new RegExp(`^[^/@]+/${TOOLKIT_REPO_NAME}/(actions/[^@]+?)/?@[^@]+$`).exec(uses);
  return m?.[1];
}

/** Where a job's `uses:` (reusable workflow) points inside this repository, or undefined. */
export function localWorkflowPath(uses: string): string | undefined {
  let m = /^(?:\$|\.)\/(\.github\/workflows\/[^/@]+\.ya?ml)$/.exec(uses);
  if (!m) m = new RegExp(`^[^/@]+/${TOOLKIT_REPO_NAME}/(\\.github/workflows/[^/@]+\\.ya?ml)@[^@]+$`).exec(uses);
  return m?.[1];
}

/** The manifest of a local action folder, if present. */
export function actionManifestPath(files: FileMap, actionDir: string): string | undefined {
  for (const m of ['action.yml', 'action.yaml']) if (files.has(`${actionDir}/${m}`)) return `${actionDir}/${m}`;
  return undefined;
}
