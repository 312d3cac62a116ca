/**
 * README's per-action tables are generated from action.yml so they cannot drift:
 * `npm run readme` rewrites the blocks between `<!-- action-docs:<name> -->` and
 * `<!-- /action-docs:<name> -->`; the manifest test fails when README is stale.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ActionManifest {
  name: string;
  description: string;
  inputs?: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description: string; value?: string }>;
  runs: { using: string; main?: string; steps?: unknown[] };
}

export function listActions(): { dir: string; manifest: ActionManifest }[] {
  return readdirSync(join(root, 'actions'))
    .filter((d) => existsSync(join(root, 'actions', d, 'action.yml')))
    .sort()
    .map((dir) => ({ dir, manifest: parse(readFileSync(join(root, 'actions', dir, 'action.yml'), 'utf8')) as ActionManifest }));
}

const cell = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

export function actionTable(dir: string, m: ActionManifest): string {
  const lines = [`<!-- action-docs:${dir} -->`, '', '| input | required | default | description |', '|---|---|---|---|'];
  for (const [name, i] of Object.entries(m.inputs ?? {})) {
    const def = i.default === undefined ? '' : `\`${cell(String(i.default))}\``;
    lines.push(`| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${def} | ${cell(i.description)} |`);
  }
  lines.push('', '| output | description |', '|---|---|');
  for (const [name, o] of Object.entries(m.outputs ?? {})) lines.push(`| \`${name}\` | ${cell(o.description)} |`);
  lines.push('', `<!-- /action-docs:${dir} -->`);
  return lines.join('\n');
}

/** README with every action-docs block regenerated (blocks absent from README are left absent). */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const { dir, manifest } of listActions()) {
    const re = new RegExp(`<!-- action-docs:${dir} -->[\\s\\S]*?<!-- /action-docs:${dir} -->`);
    out = out.replace(re, () => actionTable(dir, manifest));
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = join(root, 'README.md');
  const before = readFileSync(path, 'utf8');
  const after = renderReadme(before);
  if (process.argv.includes('--check')) {
    if (before !== after) {
      console.error('README.md action tables are stale: run npm run readme');
      process.exit(1);
    }
  } else if (before !== after) {
    writeFileSync(path, after);
    console.log('README.md updated');
  }
}
