/**
 * docs/workflows.md's reference tables are generated from the reusable workflows' `workflow_call`
 * blocks so they cannot drift: the blocks between `<!-- workflow-docs:<name> -->` and
 * `<!-- /workflow-docs:<name> -->` are rewritten, and a test fails when the file is stale.
 * Regenerate: `npx tsx src/lib/workflows/docs.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadShippedFiles, type FileMap } from './files.js';
import { indexRepo } from './repo.js';
import { asObj } from './model.js';

const cell = (s: unknown) => String(s ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

export function workflowTable(files: FileMap, name: string): string {
  const wf = indexRepo(files).workflows.get(`.github/workflows/${name}.yml`);
  const call = asObj(asObj(wf?.events).workflow_call);
  const lines = [`<!-- workflow-docs:${name} -->`, ''];
  const inputs = Object.entries(asObj(call.inputs));
  if (inputs.length) {
    lines.push('| input | type | required | default | description |', '|---|---|---|---|---|');
    for (const [k, raw] of inputs) {
      const v = asObj(raw);
      const def =
        v.default === undefined ? '' : v.default === '' ? "`''`" : `\`${cell(typeof v.default === 'string' ? v.default : JSON.stringify(v.default))}\``;
      lines.push(`| \`${k}\` | ${cell(v.type)} | ${v.required === true ? 'yes' : 'no'} | ${def} | ${cell(v.description)} |`);
    }
    lines.push('');
  }
  const secrets = Object.entries(asObj(call.secrets));
  if (secrets.length) {
    lines.push('| secret | required | description |', '|---|---|---|');
    for (const [k, raw] of secrets) lines.push(`| \`${k}\` | ${asObj(raw).required === true ? 'yes' : 'no'} | ${cell(asObj(raw).description)} |`);
    lines.push('');
  }
  const outputs = Object.entries(asObj(call.outputs));
  if (outputs.length) {
    lines.push('| output | description |', '|---|---|');
    for (const [k, raw] of outputs) lines.push(`| \`${k}\` | ${cell(asObj(raw).description)} |`);
    lines.push('');
  }
  lines.push(`<!-- /workflow-docs:${name} -->`);
  return lines.join('\n');
}

/** The document with every marked block regenerated. */
export function renderWorkflowDocs(doc: string, files: FileMap): string {
  return doc.replace(/<!-- workflow-docs:([a-z0-9-]+) -->[\s\S]*?<!-- \/workflow-docs:\1 -->/g, (_m, name: string) => workflowTable(files, name));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
  const path = join(root, 'docs/workflows.md');
  writeFileSync(path, renderWorkflowDocs(readFileSync(path, 'utf8'), loadShippedFiles(root)));
}
