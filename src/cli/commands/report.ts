/** `mlops report`: the cml-report markdown + HTML for the working tree, written to disk (no GitHub). */
import { resolve } from 'node:path';
import { stderrLogger } from '../../lib/log.js';
import { GitTagBackend } from '../../lib/git/tags.js';
import { resolveRevision } from '../../lib/metrics/index.js';
import { publishReport } from '../../lib/report/publish.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops report [--baseline <rev>] [--serving <rev>] [--out <file.md>] [--title <text>] [--no-plots] [-C <dir>]

Builds the pull-request report for the working tree: gate verdict, metric diff vs the baseline (and vs
the serving model's revision), params diff and plots. Writes markdown to --out and HTML next to it,
and prints the markdown.
  --baseline REV   revision to compare with (default: main)
  --serving REV    revision of the model serving in the target stage (adds a table)
  --serving-stage S  compare with the version serving in stage S per the registry tags
                   (default auto: the stage of the baseline branch; none: off)
  --out FILE       markdown path (default: mlops-report/report.md); HTML: same path with .html
  --title TEXT     report heading (default: Metrics report)
  --config FILE    mlops.yml path (default: mlops.yml in the project folder)
  --no-plots       skip plots
  -C DIR           project folder (default: current directory)`;

export const report: Command = {
  name: 'report',
  summary: 'write the metrics report (markdown + HTML) for the working tree',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        baseline: { type: 'string' },
        serving: { type: 'string' },
        'serving-stage': { type: 'string' },
        out: { type: 'string' },
        title: { type: 'string' },
        config: { type: 'string' },
        'no-plots': { type: 'boolean' },
        C: { type: 'string', short: 'C' },
      },
      usage,
      false,
    );
    const cwd = resolve(values.C ?? '.');
    const sha = (await resolveRevision(cwd, 'HEAD').catch(() => undefined)) ?? '';
    const result = await publishReport({
      // The baseline branch plays the PR's target branch (its stage picks the serving model).
      ctx: { owner: '', repo: '', eventName: 'local', sha, baseRef: values.baseline ?? 'main', fromFork: false, labels: [] },
      cwd,
      configPath: values.config,
      baselineRef: values.baseline ?? 'main',
      servingRef: values.serving,
      servingStage: values['serving-stage'] ?? 'auto',
      registry: new GitTagBackend({ cwd, log: stderrLogger }),
      reportId: 'metrics',
      title: values.title ?? 'Metrics report',
      reportPath: resolve(values.out ?? 'mlops-report/report.md'),
      comment: false,
      plots: !values['no-plots'],
      imageHost: 'none',
      logger: stderrLogger,
    });
    process.stdout.write(result.markdown);
    return 0;
  },
};
