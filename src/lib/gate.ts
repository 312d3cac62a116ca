/**
 * Threshold rules -> one verdict per rule. Fail closed: a rule whose metric is missing, NaN, not a
 * number, or sits in a file that cannot be read fails with the reason, never passes by default.
 *
 * Bounds of a rule (all optional, at least one given; see GateRule in config.ts):
 * - `min` / `max`: absolute bounds on the head value.
 * - `max_drop`: how much the metric may get worse than the baseline. "Worse" follows `direction`:
 *   lower for `higher` (the default, e.g. accuracy), higher for `lower` (e.g. latency).
 * - `max_increase`: how much the value may rise above the baseline, whatever the direction.
 * Deltas are absolute numbers, or `"N%"` relative to |baseline| (a baseline of 0 allows no change).
 */
import type { Delta, GateRule } from './config.js';
import { type FileValues, formatNumber, type Snapshot } from './metrics/index.js';
import { normalizePath } from './metrics/tree.js';
import type { MetricValue } from './metrics/parse.js';

export type RuleStatus = 'pass' | 'fail' | 'missing';

export interface RuleVerdict {
  rule: GateRule;
  status: RuleStatus;
  /** Metrics file the value came from. */
  file?: string;
  value?: MetricValue;
  baseline?: MetricValue;
  /** One line: what was checked, or why it failed. */
  reason: string;
}

export interface GateVerdict {
  passed: boolean;
  rules: RuleVerdict[];
  /** Rules that did not pass (fail or missing). */
  failed: RuleVerdict[];
}

/** `test.roc_auc >= 0.8` style label of a rule, used in tables and failed-rules output. */
export function ruleLabel(rule: GateRule): string {
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(`min ${rule.min}`);
  if (rule.max !== undefined) bounds.push(`max ${rule.max}`);
  if (rule.max_drop !== undefined) bounds.push(`max_drop ${rule.max_drop}`);
  if (rule.max_increase !== undefined) bounds.push(`max_increase ${rule.max_increase}`);
  return `${rule.file ? `${rule.file}:` : ''}${rule.metric} (${bounds.join(', ')})`;
}

interface Lookup {
  file?: string;
  value?: MetricValue;
  found: boolean;
  problem?: string;
}

function describeError(f: FileValues): string {
  const e = f.error!;
  return e.line ? `${f.path}:${e.line}: ${e.message}` : e.message.includes(f.path) ? e.message : `${f.path}: ${e.message}`;
}

/** Find a rule's metric in a snapshot: in its `file`, or in the one configured file that has the key. */
function lookup(files: FileValues[], rule: GateRule): Lookup {
  if (rule.file) {
    const want = normalizePath(rule.file);
    const f = files.find((x) => x.path === want);
    if (!f) return { found: false, problem: `${want} is not a metrics file (configured: ${files.map((x) => x.path).join(', ') || 'none'})` };
    if (f.error) return { found: false, file: f.path, problem: describeError(f) };
    if (!(rule.metric in f.data!)) return { found: false, file: f.path, problem: `${rule.metric} not found in ${f.path}` };
    return { found: true, file: f.path, value: f.data![rule.metric] };
  }
  const holders = files.filter((f) => f.data && rule.metric in f.data);
  if (holders.length > 1) {
    return { found: false, problem: `${rule.metric} is in several files (${holders.map((f) => f.path).join(', ')}): set file: on the rule` };
  }
  if (holders.length === 1) return { found: true, file: holders[0]!.path, value: holders[0]!.data![rule.metric] };
  const broken = files.filter((f) => f.error);
  if (files.length === 0) return { found: false, problem: `${rule.metric}: no metrics files configured (dvc.yaml metrics:, mlops.yml metrics: or the metrics input)` };
  return {
    found: false,
    problem: `${rule.metric} not found in ${files.map((f) => f.path).join(', ')}${broken.length ? `; unreadable: ${broken.map(describeError).join('; ')}` : ''}`,
  };
}

function deltaLimit(delta: Delta, base: number): { limit: number; text: string } {
  if (typeof delta === 'string' && delta.endsWith('%')) {
    const pct = Number(delta.slice(0, -1));
    return { limit: (Math.abs(base) * pct) / 100, text: delta };
  }
  return { limit: Number(delta), text: String(delta) };
}

const fmt = (v: number) => formatNumber(v);

export function evaluateRule(rule: GateRule, head: Snapshot, base?: { snapshot?: Snapshot; reason?: string }): RuleVerdict {
  const h = lookup(head.metrics, rule);
  if (!h.found) return { rule, status: 'missing', file: h.file, reason: h.problem! };
  const value = h.value;
  const verdict = (status: RuleStatus, reason: string, baseline?: MetricValue): RuleVerdict => ({ rule, status, file: h.file, value, baseline, reason });
  if (typeof value !== 'number') return verdict('fail', `${rule.metric} is not a number (${JSON.stringify(value)})`);
  if (Number.isNaN(value)) return verdict('fail', `${rule.metric} is NaN`);

  const checks: string[] = [];
  if (rule.min !== undefined) {
    if (!(value >= rule.min)) return verdict('fail', `${rule.metric} = ${fmt(value)} is below min ${rule.min}`);
    checks.push(`>= ${rule.min}`);
  }
  if (rule.max !== undefined) {
    if (!(value <= rule.max)) return verdict('fail', `${rule.metric} = ${fmt(value)} is above max ${rule.max}`);
    checks.push(`<= ${rule.max}`);
  }
  let baseline: MetricValue | undefined;
  if (rule.max_drop !== undefined || rule.max_increase !== undefined) {
    const against = base?.snapshot ? ` vs ${base.snapshot.label}` : '';
    if (!base?.snapshot) return verdict('fail', `no baseline to compare ${rule.metric} with: ${base?.reason ?? 'no baseline revision (not a pull request, and no baseline-ref given)'}`);
    // The baseline is read from the same file as the head value (rule.file or where the head had it).
    const b = lookup(base.snapshot.metrics, { ...rule, file: h.file });
    if (!b.found) return verdict('fail', `no baseline value${against}: ${b.problem}`);
    baseline = b.value;
    if (typeof baseline !== 'number' || Number.isNaN(baseline)) {
      return verdict('fail', `baseline ${rule.metric}${against} is ${Number.isNaN(baseline) ? 'NaN' : `not a number (${JSON.stringify(baseline)})`}`, baseline);
    }
    const change = value - baseline;
    if (rule.max_drop !== undefined) {
      const worse = (rule.direction ?? 'higher') === 'higher' ? -change : change;
      const { limit, text } = deltaLimit(rule.max_drop, baseline);
      if (!(worse <= limit + 1e-12 * Math.max(1, Math.abs(baseline)))) {
        return verdict('fail', `${rule.metric} got worse by ${fmt(worse)}${against} (${fmt(baseline)} -> ${fmt(value)}), more than max_drop ${text}`, baseline);
      }
      checks.push(`drop ${fmt(Math.max(0, worse))} <= ${text}`);
    }
    if (rule.max_increase !== undefined) {
      const { limit, text } = deltaLimit(rule.max_increase, baseline);
      if (!(change <= limit + 1e-12 * Math.max(1, Math.abs(baseline)))) {
        return verdict('fail', `${rule.metric} rose by ${fmt(change)}${against} (${fmt(baseline)} -> ${fmt(value)}), more than max_increase ${text}`, baseline);
      }
      checks.push(`increase ${fmt(Math.max(0, change))} <= ${text}`);
    }
  }
  return verdict('pass', `${rule.metric} = ${fmt(value)}: ${checks.join(', ')}`, baseline);
}

/** Every rule against the head snapshot (and the baseline for relative bounds). */
export function evaluateGate(rules: GateRule[], head: Snapshot, base?: { snapshot?: Snapshot; reason?: string }): GateVerdict {
  const verdicts = rules.map((r) => evaluateRule(r, head, base));
  const failed = verdicts.filter((v) => v.status !== 'pass');
  return { passed: failed.length === 0, rules: verdicts, failed };
}

/** One line for a commit status / log: `3/3 rules passed` or `2 of 3 rules failed: a, b`. */
export function verdictLine(v: GateVerdict): string {
  if (v.rules.length === 0) return 'no gate rules configured';
  if (v.passed) return `${v.rules.length}/${v.rules.length} rules passed`;
  return `${v.failed.length} of ${v.rules.length} rules failed: ${v.failed.map((f) => f.rule.metric).join(', ')}`;
}

/** The `failed-rules` output: metric, file, status, value, baseline and reason of each failed rule. */
export function failedRulesJson(v: GateVerdict): object[] {
  return v.failed.map((f) => ({
    metric: f.rule.metric,
    ...(f.file ? { file: f.file } : {}),
    status: f.status,
    ...(f.value !== undefined ? { value: jsonSafe(f.value) } : {}),
    ...(f.baseline !== undefined ? { baseline: jsonSafe(f.baseline) } : {}),
    reason: f.reason,
  }));
}

// JSON has no NaN/Infinity: keep them readable as strings rather than turning them into null.
function jsonSafe(v: MetricValue): MetricValue {
  return typeof v === 'number' && !Number.isFinite(v) ? formatNumber(v) : v;
}
