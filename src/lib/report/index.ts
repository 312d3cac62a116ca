/**
 * The PR report: gate verdict, metric diffs (vs the target branch, and vs the model serving in the
 * target stage when known), params diff, errors, then any extra sections (plots), and a footer with
 * the commit and the run link. Built as a Report (see render.ts) so markdown and HTML say the same.
 */
import { type GateVerdict, ruleLabel, verdictLine } from '../gate.js';
import { truncateBody } from '../github/comments.js';
import { diffValues, formatChange, formatValue, type DiffRow, type Snapshot } from '../metrics/index.js';
import { type Block, inlineHtml, type Report, type ReportSection } from './render.js';

export { renderHtml, renderMarkdown, escapeHtml, type Block, type Report, type ReportSection } from './render.js';

export interface Baseline {
  /** Section id, e.g. `base` or `serving`. */
  id: string;
  /** Heading, e.g. "Metrics vs `main`". */
  title: string;
  /** Column header for the baseline values. */
  label: string;
  snapshot?: Snapshot;
  /** Why there is no snapshot. */
  reason?: string;
}

export interface Override {
  by: string;
  label: string;
}

export interface ReportData {
  title: string;
  head: Snapshot;
  /** Column header for the head values, e.g. the short head sha. */
  headLabel: string;
  /** The first baseline is also the one params are compared with. */
  baselines: Baseline[];
  gate?: GateVerdict;
  override?: Override;
  sha?: string;
  runUrl?: string;
  /** Appended after the built-in sections (plots and the like), before the footer. */
  extraSections?: ReportSection[];
  /** Show unchanged params too (default: only changed, like `dvc params diff`). */
  allParams?: boolean;
}

/**
 * The job summary takes at most 1 MiB per step. 300,000 UTF-16 units stay under that whatever the
 * characters (at most 3 UTF-8 bytes each), and leave room for other steps' summaries.
 */
export const MAX_SUMMARY_CHARS = 300_000;

export function summaryMarkdown(markdown: string): string {
  return truncateBody(markdown, MAX_SUMMARY_CHARS, undefined, { kind: 'job summary', fullAt: 'the report file the step wrote (report-path), or run `mlops report` locally' }).body;
}

/** Tables longer than this fold into <details> so the comment stays readable. */
const FOLD_ROWS = 40;

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function gateHeadline(gate: GateVerdict, override?: Override): string {
  if (gate.rules.length === 0) return '⚪ **Gate:** no rules configured';
  if (gate.passed) return `✅ **Gate passed:** ${verdictLine(gate)}`;
  if (override) return `⚠️ **Gate overridden** by @${override.by} (label ${code(override.label)}): ${verdictLine(gate)}`;
  return `❌ **Gate failed:** ${verdictLine(gate)}`;
}

export function gateTable(gate: GateVerdict): Block {
  const icon = { pass: '✅ pass', fail: '❌ fail', missing: '❌ missing' } as const;
  return {
    kind: 'table',
    header: ['Rule', 'Result', 'Value', 'Baseline', 'Reason'],
    align: ['l', 'l', 'r', 'r', 'l'],
    rows: gate.rules.map((r) => [ruleLabel(r.rule), icon[r.status], formatValue(r.value), formatValue(r.baseline), r.reason]),
  };
}

function diffTable(rows: DiffRow[], baseLabel: string, headLabel: string): Block {
  return {
    kind: 'table',
    header: ['Path', 'Metric', baseLabel, headLabel, 'Change'],
    align: ['l', 'l', 'r', 'r', 'r'],
    rows: rows.map((r) => [r.path, r.key, formatValue(r.base), formatValue(r.head), formatChange(r)]),
    foldAbove: FOLD_ROWS,
  };
}

function paramsTable(rows: DiffRow[], baseLabel: string, headLabel: string): Block {
  return {
    kind: 'table',
    header: ['Path', 'Param', baseLabel, headLabel],
    align: ['l', 'l', 'r', 'r'],
    rows: rows.map((r) => [r.path, r.key, formatValue(r.base), formatValue(r.head)]),
    foldAbove: FOLD_ROWS,
  };
}

function fileProblems(s: Snapshot, where: string): string[] {
  return [...s.metrics, ...s.params]
    .filter((f) => f.error)
    .map((f) => `${code(`${f.path}${f.error!.line ? `:${f.error!.line}` : ''}`)}${where}: ${f.error!.message}`);
}

export function buildReport(d: ReportData): Report {
  const sections: ReportSection[] = [];
  if (d.gate) {
    sections.push({ id: 'verdict', blocks: [{ kind: 'text', text: gateHeadline(d.gate, d.override) }] });
  }

  const hasMetrics = d.head.metrics.length > 0;
  if (!hasMetrics) {
    sections.push({ id: 'metrics', title: 'Metrics', blocks: [{ kind: 'text', text: 'No metrics files found (dvc.yaml `metrics:`, mlops.yml `metrics:` or the `metrics` input).' }] });
  }
  for (const b of hasMetrics ? d.baselines : []) {
    const blocks: Block[] = [];
    if (!b.snapshot) blocks.push({ kind: 'text', text: `Baseline not available: ${b.reason ?? 'unknown reason'}.` });
    const rows = diffValues(b.snapshot?.metrics, d.head.metrics, { all: true });
    if (rows.length) blocks.push(diffTable(rows, b.label, d.headLabel));
    else blocks.push({ kind: 'text', text: 'No metric values to compare.' });
    sections.push({ id: `metrics-${b.id}`, title: b.title, blocks });
  }
  if (d.baselines.length === 0 && hasMetrics) {
    const rows = diffValues(undefined, d.head.metrics);
    sections.push({ id: 'metrics', title: 'Metrics', blocks: [rows.length ? diffTable(rows, '—', d.headLabel) : { kind: 'text', text: 'No metric values.' }] });
  }

  if (d.gate && d.gate.rules.length > 0) sections.push({ id: 'gate', title: 'Gate rules', blocks: [gateTable(d.gate)] });

  const pBase = d.baselines[0];
  if (d.head.params.length > 0 || (pBase?.snapshot?.params.length ?? 0) > 0) {
    const rows = diffValues(pBase?.snapshot?.params, d.head.params, { all: d.allParams ?? false });
    const against = pBase ? ` vs ${pBase.label}` : '';
    sections.push({
      id: 'params',
      title: `Params${against}`,
      blocks: [rows.length ? paramsTable(rows, pBase?.label ?? '—', d.headLabel) : { kind: 'text', text: `No params changed${against}.` }],
    });
  }

  const problems = [
    ...fileProblems(d.head, ''),
    ...d.baselines.flatMap((b) => (b.snapshot ? fileProblems(b.snapshot, ` (at ${b.label})`).filter((p) => !p.includes('does not exist')) : [])),
  ];
  if (problems.length) sections.push({ id: 'problems', title: '⚠️ Problems', blocks: [{ kind: 'list', items: problems }] });

  sections.push(...(d.extraSections ?? []));

  const footer: string[] = [];
  if (d.sha) footer.push(`Commit ${code(d.sha.slice(0, 7))}`);
  if (d.runUrl) footer.push(`[workflow run](${d.runUrl})`);
  footer.push('generated by mlops-actions');
  const line = footer.join(' · ');
  sections.push({ id: 'footer', blocks: [{ kind: 'raw', markdown: `<sub>${line}</sub>`, html: `<p><small>${inlineHtml(line)}</small></p>` }] });
  return { title: d.title, sections };
}
