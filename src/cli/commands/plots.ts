/** `mlops plots`: render the repository's DVC plots locally (PNG, SVG and one HTML page). */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../../lib/config.js';
import { stderrLogger } from '../../lib/log.js';
import { describeProblem, loadPlots, plotFiles, plotsHtml, renderPlots, writePlotFiles, type RevisionSpec } from '../../lib/plots/index.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops plots [--rev <git-rev>]... [--out <dir>] [--dvc-yaml <file>]

Renders the plots declared in dvc.yaml (top-level \`plots:\` and stage outputs) and mlops.yml with DVC's
templates, every revision overlaid in one chart, as the PR report shows them.
  --rev R        a git revision to overlay (repeatable). Like \`dvc plots diff\`: none = HEAD vs the
                 working tree; one = R vs the working tree; several = exactly those revisions
  --out DIR      where to write <plot>.png, <plot>.svg and index.html (default: mlops_plots)
  --dvc-yaml F   a dvc.yaml to read (repeatable; default: every dvc.yaml in the repository, as DVC)
Exits 1 when a plot could not be rendered (each problem is printed with its plot and file).`;

const page = (body: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>mlops plots</title>
<style>body{font-family:sans-serif;margin:2em}.plot{display:inline-block;vertical-align:top;margin:0 2em 2em 0}
.plot-problem{color:#b00}.plot-notes{font-size:.85em;color:#555}</style></head>
<body>
${body}
</body></html>
`;

export const plots: Command = {
  name: 'plots',
  summary: 'render DVC plots (head vs base) to PNG/SVG/HTML locally',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      { rev: { type: 'string', multiple: true }, out: { type: 'string' }, 'dvc-yaml': { type: 'string', multiple: true } },
      usage,
      false,
    );
    const cwd = process.cwd();
    const given = values.rev ?? [];
    const revs: RevisionSpec[] =
      given.length === 0
        ? [{ name: 'HEAD', ref: 'HEAD' }, { name: 'workspace' }]
        : given.length === 1
          ? [{ name: given[0]!, ref: given[0]! }, { name: 'workspace' }]
          : given.map((r) => ({ name: r, ref: r }));
    const config = loadConfig(cwd);
    const set = await loadPlots({ cwd, dvcYaml: values['dvc-yaml'], mlopsPlots: config?.plots, revs, logger: stderrLogger });
    if (!set.plots.length) {
      process.stderr.write('no plots declared in dvc.yaml or mlops.yml\n');
      return 0;
    }
    // The page shows every chart as SVG: no GitHub-native fallbacks needed.
    const rendered = await renderPlots(set, { fallbacks: false, logger: stderrLogger });
    const out = resolve(cwd, values.out ?? 'mlops_plots');
    mkdirSync(out, { recursive: true });
    const written = writePlotFiles(out, plotFiles(rendered));
    writeFileSync(join(out, 'index.html'), page(plotsHtml(rendered)));
    let failed = 0;
    for (const p of rendered) {
      for (const n of p.notes) process.stderr.write(`note: ${p.id}: ${n}\n`);
      for (const q of p.problems) {
        failed++;
        process.stderr.write(`error: ${q.configFile ? `${q.configFile}${q.line ? `:${q.line}` : ''}: ` : ''}${describeProblem(q)}\n`);
      }
    }
    for (const f of written) process.stdout.write(`${relative(cwd, f)}\n`);
    process.stdout.write(`${relative(cwd, join(out, 'index.html'))}\n`);
    return failed ? 1 : 0;
  },
};
