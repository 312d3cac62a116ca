/** `mlops gate`: the metric-gate rules evaluated locally (workspace vs a baseline revision). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { failedRulesJson, ruleLabel, verdictLine } from '../../lib/gate.js';
import { formatValue, snapshotErrors } from '../../lib/metrics/index.js';
import { stderrLogger } from '../../lib/log.js';
import { gateOf, loadLoopConfig, readSnapshots } from '../../lib/report/pr-loop.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';
import { table } from './show.js';

const usage = `usage: mlops gate [--baseline <rev>] [--config <file>] [--rules <yaml|@file>] [--metrics <files>] [-C <dir>] [--json]

Evaluates the gate rules (mlops.yml gates:, or --rules) against the metrics in the working tree, with
max_drop / max_increase compared to the baseline revision read from git (no checkout). Exit code 1
when a rule fails; a missing metric, NaN or unreadable file fails.
  --baseline REV  revision to compare with (default: main)
  --config FILE   mlops.yml path (default: mlops.yml in the project folder)
  --rules R       rules as YAML, or @path to a YAML file (replaces the configured gates)
  --metrics LIST  comma-separated metrics files (default: mlops.yml metrics:, else dvc.yaml)
  -C DIR          project folder (default: current directory)
  --json          print {"passed", "rules", "failed"} as JSON`;

export const gate: Command = {
  name: 'gate',
  summary: 'evaluate metric gate rules on the working tree vs a baseline revision',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        baseline: { type: 'string' },
        config: { type: 'string' },
        rules: { type: 'string' },
        metrics: { type: 'string' },
        C: { type: 'string', short: 'C' },
        json: { type: 'boolean' },
      },
      usage,
      false,
    );
    const cwd = resolve(values.C ?? '.');
    const rules = values.rules?.startsWith('@') ? readFileSync(resolve(values.rules.slice(1)), 'utf8') : values.rules;
    const cfg = loadLoopConfig({ cwd, configPath: values.config, rules, metrics: values.metrics?.split(',').map((s) => s.trim()).filter(Boolean) });
    const snaps = await readSnapshots(cwd, cfg.sources, { base: values.baseline ?? 'main' }, stderrLogger);
    for (const e of snapshotErrors(snaps.head)) stderrLogger.warning(e.message, { file: e.file, line: e.line });
    if (snaps.base && !snaps.base.snapshot) stderrLogger.warning(`baseline ${snaps.base.ref}: ${snaps.base.reason}`);
    const verdict = gateOf(cfg, snaps);
    if (values.json) {
      const rows = verdict.rules.map((r) => ({ rule: ruleLabel(r.rule), status: r.status, value: formatValue(r.value), baseline: formatValue(r.baseline), reason: r.reason }));
      process.stdout.write(JSON.stringify({ passed: verdict.passed, rules: rows, failed: failedRulesJson(verdict) }, null, 2) + '\n');
    } else {
      if (verdict.rules.length) {
        process.stdout.write(
          table([
            ['rule', 'result', 'value', 'baseline', 'reason'],
            ...verdict.rules.map((r) => [ruleLabel(r.rule), r.status, formatValue(r.value), formatValue(r.baseline), r.reason]),
          ]),
        );
      }
      process.stdout.write(`${verdict.passed ? 'PASSED' : 'FAILED'}: ${verdictLine(verdict)}\n`);
    }
    return verdict.passed ? 0 : 1;
  },
};
