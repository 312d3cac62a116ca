/**
 * `mlops init`: copy the starter files of action-templates/ into a user repository — the caller
 * workflows into .github/workflows/, mlops.yml to the root, the GitOps overlay example to deploy/.
 * It asks nothing (it runs in CI too). A file that exists with other content is never overwritten
 * without --force; the refusal names every such file, and nothing at all is written in that case.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';

/** How the templates name this toolkit; `--toolkit` / `--ref` replace it. */
export const TEMPLATE_TOOLKIT = 'mlops-actions/mlops-actions';
export const TEMPLATE_REF = 'main';

export type TemplateKind = 'workflows' | 'config' | 'deploy';
export const TEMPLATE_KINDS: TemplateKind[] = ['workflows', 'config', 'deploy'];

export interface TemplateFile {
  kind: TemplateKind;
  /** Path under action-templates/, `/`-separated. */
  source: string;
  /** Path in the user's repository. */
  target: string;
}

/**
 * action-templates/ sits two folders above both the bundled CLI (dist/cli/index.js) and its source
 * (src/cli/index.ts). Resolved from the running script, through the node_modules/.bin symlink.
 */
export function defaultTemplatesDir(): string {
  const fromEnv = process.env.MLOPS_TEMPLATES_DIR;
  if (fromEnv) return fromEnv;
  const script = process.argv[1] ? realpathSync(process.argv[1]) : process.cwd();
  return join(dirname(script), '..', '..', 'action-templates');
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, base));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

/** Every template and where it goes. `.properties.json` files describe templates and are not copied. */
export function templateFiles(templatesDir: string): TemplateFile[] {
  if (!existsSync(templatesDir)) {
    throw new UserError(`templates not found at ${templatesDir}: run mlops from a checkout of mlops-actions or pass --templates <dir>`);
  }
  return walk(templatesDir)
    .filter((p) => !p.endsWith('.properties.json'))
    .map((source): TemplateFile => {
      if (source === 'mlops.yml') return { kind: 'config', source, target: source };
      // Other top-level YAML files are caller workflows.
      if (!source.includes('/') && /\.ya?ml$/.test(source)) return { kind: 'workflows', source, target: `.github/workflows/${source}` };
      return { kind: 'deploy', source, target: source };
    });
}

/**
 * Point the templates' `uses:` at a toolkit repository and ref. A 40-hex ref is a pin: the comment
 * says so, as the policy for third-party actions asks.
 */
export function renderTemplate(text: string, toolkit?: string, ref?: string): string {
  if (!toolkit && !ref) return text;
  const repo = toolkit ?? TEMPLATE_TOOLKIT;
  const pin = ref ?? TEMPLATE_REF;
  const comment = /^[0-9a-f]{40}$/.test(pin) ? ' # pinned by mlops init' : '';
  return text.replace(
    new RegExp(`(uses:\\s*)${TEMPLATE_TOOLKIT.replace('/', '\\/')}/([^@\\s]+)@${TEMPLATE_REF}\\b`, 'g'),
    (_m, lead: string, path: string) => `${lead}${repo}/${path}@${pin}${comment}`,
  );
}

export interface InitOptions {
  /** The user's repository (files are written below it). */
  dir: string;
  templatesDir?: string;
  force?: boolean;
  dryRun?: boolean;
  /** owner/name of the toolkit repository the workflows call. */
  toolkit?: string;
  /** Ref (ideally a commit SHA) of the toolkit the workflows call. */
  ref?: string;
  /** Only these kinds of files (e.g. re-pin the workflows without touching an edited mlops.yml). */
  only?: TemplateKind[];
}

export type InitAction = 'create' | 'unchanged' | 'overwrite';

export interface InitResult {
  files: { target: string; action: InitAction }[];
}

export function initRepository(opts: InitOptions): InitResult {
  if (opts.toolkit && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(opts.toolkit)) {
    throw new UserError(`--toolkit ${opts.toolkit}: expected owner/name of the mlops-actions repository`, { field: 'toolkit' });
  }
  if (opts.ref !== undefined && !/^[A-Za-z0-9._/-]+$/.test(opts.ref)) {
    throw new UserError(`--ref ${opts.ref}: expected a commit SHA or a tag`, { field: 'ref' });
  }
  const templatesDir = opts.templatesDir ?? defaultTemplatesDir();
  for (const k of opts.only ?? []) {
    if (!TEMPLATE_KINDS.includes(k)) throw new UserError(`--only ${k}: expected one of ${TEMPLATE_KINDS.join(', ')}`, { field: 'only' });
  }
  const wanted = templateFiles(templatesDir).filter((t) => !opts.only?.length || opts.only.includes(t.kind));
  const planned = wanted.map((t) => {
    const content = renderTemplate(readFileSync(join(templatesDir, t.source), 'utf8'), opts.toolkit, opts.ref);
    const path = join(opts.dir, t.target);
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const action: InitAction = existing === undefined ? 'create' : existing === content ? 'unchanged' : 'overwrite';
    return { target: t.target, path, content, action };
  });

  const changed = planned.filter((p) => p.action === 'overwrite');
  if (changed.length && !opts.force) {
    throw new UserError(
      `refusing to overwrite ${changed.length} file(s) that differ from the templates: ${changed.map((c) => c.target).join(', ')}. ` +
        'Nothing was written. Move them away, or run mlops init --force to replace them.',
    );
  }
  if (!opts.dryRun) {
    for (const p of planned) {
      if (p.action === 'unchanged') continue;
      mkdirSync(dirname(p.path), { recursive: true });
      writeFileSync(p.path, p.content);
    }
  }
  return { files: planned.map(({ target, action }) => ({ target, action })) };
}
