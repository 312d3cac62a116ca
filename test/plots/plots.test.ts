import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDatapoints, flatDatapoints, variedKeys } from '../../src/lib/plots/convert.js';
import { gitRevisionReader, parseDataFile, parseDelimited, toDatapoints } from '../../src/lib/plots/data.js';
import { parseDvcYamlPlots, parseTopLevelPlots } from '../../src/lib/plots/definitions.js';
import { minMaxBuckets } from '../../src/lib/plots/downsample.js';
import {
  DVC_PALETTE,
  TEMPLATES,
  describeProblem,
  loadPlots,
  plotFiles,
  plotsHtml,
  renderPlots,
  type RenderedPlot,
} from '../../src/lib/plots/index.js';
import { PNG_SCALE } from '../../src/lib/plots/raster.js';
import { GET_STARTED_DVC_YAML, TEMPLATE_PLOTS, gitIn, makeRepo, writeFiles } from './fixtures.js';
import { countColor, decodePng, luminanceVariance } from './png.js';

const REVS = [{ name: 'base', ref: 'main' }, { name: 'head' }];

/** A nested field of a Vega-Lite spec (plain JSON): at(spec, 'layer', 0, 'mark'). */
function at(o: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);
}
const records = (o: unknown, ...path: (string | number)[]) => at(o, ...path) as Record<string, unknown>[];

describe('plot definitions (dvc.yaml / mlops.yml)', () => {
  it('reads the three top-level forms and stage plots, paths relative to the declaring file', () => {
    const text = `stages:
  train:
    cmd: python train.py
    plots:
    - logs/metrics:
        x: step
        cache: false
    - logs/acc.csv
plots:
- plots/roc.json
- evaluation/prc.json:
    x: recall
    y: precision
    template: simple
    title: PR curve
- ROC:
    x: fpr
    y:
      eval/roc.json: tpr
      ../shared/roc.json: [tpr, fpr]
    x_label: False positive rate
`;
    const defs = parseDvcYamlPlots(text, 'sub/dvc.yaml');
    expect(defs.map((d) => [d.id, d.kind])).toEqual([
      ['sub/plots/roc.json', 'path'],
      ['sub/evaluation/prc.json', 'path'],
      ['ROC', 'mapped'],
      ['sub/logs/metrics', 'path'],
      ['sub/logs/acc.csv', 'path'],
    ]);
    expect(defs[1]!.props).toEqual({ x: 'recall', y: 'precision', template: 'simple', title: 'PR curve' });
    expect(defs[2]!.props.y).toEqual({ 'sub/eval/roc.json': 'tpr', 'shared/roc.json': ['tpr', 'fpr'] });
    expect(defs[2]!.props.x_label).toBe('False positive rate');
    // Non-render keys of stage outs (cache, persist) are dropped.
    expect(defs[3]!.props).toEqual({ x: 'step' });
    expect(defs[2]!.line).toBe(16);
  });

  it('reads mlops.yml plots in the same form and refuses x mapped without y mapped', () => {
    expect(parseTopLevelPlots([{ Loss: { x: 'step', y: { 'logs/loss.tsv': 'loss' } } }], 'mlops.yml').map((d) => d.kind)).toEqual(['mapped']);
    expect(() => parseTopLevelPlots([{ Bad: { x: { 'a.json': 'x' }, y: 'y' } }], 'mlops.yml')).toThrow(/x.*maps a data file/);
    expect(() => parseTopLevelPlots([{ Bad: { title: 3 } }], 'mlops.yml')).toThrow(/title/);
  });
});

describe('plot data files', () => {
  it('parses JSON records, {key: list}, NaN, CSV with quotes, TSV and YAML into DVC datapoints', () => {
    expect(toDatapoints(parseDataFile('a.json', Buffer.from('[{"x":1,"y":2},{"x":2,"y":3}]')))).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 3 },
    ]);
    // dvclive / sklearn: {"roc": [...]}; two lists of records merge side by side by index (DVC).
    expect(toDatapoints(parseDataFile('r.json', Buffer.from('{"train": [{"a": 1}], "test": [{"b": 2}]}')))).toEqual([{ a: 1, b: 2 }]);
    expect(toDatapoints(parseDataFile('n.json', Buffer.from('{"roc": [{"fpr": NaN, "tpr": 1}]}')))).toEqual([{ fpr: null, tpr: 1 }]);
    expect(toDatapoints(parseDataFile('c.json', Buffer.from('{"fpr": [0, 1], "tpr": [0, 0.5]}')))).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 0.5 },
    ]);
    expect(parseDataFile('a.csv', Buffer.from('name,value\r\n"a, b",1\r\n"say ""hi""",2\r\n'))).toEqual([
      { name: 'a, b', value: '1' },
      { name: 'say "hi"', value: '2' },
    ]);
    expect(parseDataFile('a.csv', Buffer.from('1,2\n3,4\n'), { header: false })).toEqual([
      { 0: '1', 1: '2' },
      { 0: '3', 1: '4' },
    ]);
    expect(parseDataFile('l.tsv', Buffer.from('step\tloss\n0\t0.5\n1\t0.4\n'))).toEqual([
      { step: '0', loss: '0.5' },
      { step: '1', loss: '0.4' },
    ]);
    expect(toDatapoints(parseDataFile('p.yaml', Buffer.from('points:\n- {x: 1, y: 2}\n')))).toEqual([{ x: 1, y: 2 }]);
    expect(parseDelimited('a\tb\n\n1\t2', '\t')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(() => parseDataFile('bad.json', Buffer.from('{'))).toThrow(/cannot parse bad.json/);
  });

  it('flattens like DVC: rev / filename / field tags, inferred y, step index, unified y for several fields', () => {
    const contents = new Map<string, unknown>([
      ['eval/roc/train.json', { roc: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] }],
      ['eval/roc/test.json', { roc: [{ fpr: 0, tpr: 0.1 }, { fpr: 1, tpr: 1 }] }],
    ]);
    const c = flatDatapoints(
      { id: 'ROC', kind: 'mapped', configFile: 'dvc.yaml', props: { x: 'fpr', y: { 'eval/roc/train.json': 'tpr', 'eval/roc/test.json': 'tpr' } } },
      'head',
      contents,
    );
    expect(c.x).toBe('fpr');
    expect(c.y).toBe('tpr');
    expect(allDatapoints(c)[0]).toEqual({ fpr: 0, tpr: 0, rev: 'head', filename: 'train.json', field: 'tpr' });
    expect(allDatapoints(c)).toHaveLength(4);
    expect(variedKeys(c.yDefs)).toEqual(['filename']);

    const loss = flatDatapoints({ id: 'loss.tsv', kind: 'path', configFile: 'dvc.yaml', props: {} }, 'base', new Map([['loss.tsv', [{ a: '1', loss: '0.5' }]]]));
    expect(loss).toMatchObject({ x: 'step', y: 'loss', xLabel: 'step', yLabel: 'loss' });
    expect(allDatapoints(loss)[0]).toMatchObject({ step: 0, loss: '0.5', rev: 'base', filename: 'loss.tsv', field: 'loss' });

    const two = flatDatapoints({ id: 'm.json', kind: 'path', configFile: 'dvc.yaml', props: { y: ['acc', 'loss'] } }, 'head', new Map([['m.json', [{ acc: 1, loss: 2 }]]]));
    expect(two.y).toBe('dvc_inferred_y_value');
    expect(two.yLabel).toBe('y');
    expect(allDatapoints(two).map((d) => d.dvc_inferred_y_value)).toEqual([1, 2]);
    expect(variedKeys(two.yDefs)).toEqual(['field']);
  });

  it('keeps spikes when reducing a long series (min/max per bucket)', () => {
    // Shuffled input: the reduction sorts by x first.
    const order = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const xs = Float64Array.from(order);
    const ys = Float64Array.from(order, (i) => (i === 4321 ? 100 : i === 1234 ? -100 : Math.sin(i / 100)));
    const kept = minMaxBuckets(xs, ys, [...order.keys()], 500);
    expect(kept.length).toBeLessThanOrEqual(1002);
    expect(kept.map((i) => ys[i])).toContain(100);
    expect(kept.map((i) => ys[i])).toContain(-100);
    expect(xs[kept[0]!]).toBe(0);
    expect(xs[kept[kept.length - 1]!]).toBe(9999);
    expect(kept.map((i) => xs[i]!)).toEqual([...kept.map((i) => xs[i]!)].sort((a, b) => a - b));
  });
});

describe('reading a revision from git', () => {
  it('answers lookups made together from one batch, with sizes, bytes, absent paths and directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-plots-git-'));
    try {
      const files: Record<string, string | Buffer> = {
        'a.json': '[{"x": 1}]',
        'with space.csv': 'a,b\n1,2\n',
        'line\nbreak.tsv': 'a\tb\n',
        'dir/deep.bin': Buffer.from([0, 10, 255, 10, 0]),
      };
      writeFiles(dir, files);
      gitIn(dir, 'init', '-q', '-b', 'main');
      gitIn(dir, 'add', '-A');
      gitIn(dir, 'commit', '-q', '-m', 'base');
      writeFileSync(join(dir, 'a.json'), 'changed in the working tree');
      const reader = gitRevisionReader(dir, 'main');
      const paths = [...Object.keys(files), 'missing.json', 'dir', 'dir/missing/deeper.json'];
      const [sizes, bytes] = await Promise.all([Promise.all(paths.map((p) => reader.size(p))), Promise.all(paths.map((p) => reader.read(p)))]);
      expect(sizes).toEqual([...Object.values(files).map((c) => Buffer.byteLength(c)), undefined, undefined, undefined]);
      expect(bytes.slice(0, 4).map((b) => b?.toString('latin1'))).toEqual(Object.values(files).map((c) => Buffer.from(c).toString('latin1')));
      expect(bytes.slice(4)).toEqual([undefined, undefined, undefined]);
      expect(await reader.list('dir')).toEqual(['dir/deep.bin']);
      expect(await gitRevisionReader(dir, 'no-such-branch').size('a.json')).toBeUndefined();
      expect(await gitRevisionReader(tmpdir(), 'main').read('a.json')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rendering DVC templates head vs base', () => {
  let repo: ReturnType<typeof makeRepo>;
  let rendered: RenderedPlot[];
  const byId = (id: string) => rendered.find((p) => p.id === id)!;

  beforeAll(async () => {
    repo = makeRepo();
    const set = await loadPlots({ cwd: repo.dir, dvcYaml: false, mlopsPlots: TEMPLATE_PLOTS, revs: REVS });
    rendered = await renderPlots(set);
  });
  afterAll(() => repo.cleanup());

  it('renders every built-in template with no problems', () => {
    expect(rendered.map((p) => p.id)).toEqual([...TEMPLATES]);
    for (const p of rendered) {
      expect(p.problems, p.id).toEqual([]);
      expect(p.template).toBe(p.id);
    }
  });

  it.each([...TEMPLATES])('%s: PNG decodes at 2x the SVG size and is not blank', (t) => {
    const p = byId(t);
    const img = decodePng(p.png!);
    expect([img.width, img.height]).toEqual([p.width, p.height]);
    const svgW = Number(/<svg[^>]*width="([\d.]+)"/.exec(p.svg!)![1]);
    const svgH = Number(/<svg[^>]*height="([\d.]+)"/.exec(p.svg!)![1]);
    expect(img.width).toBe(Math.round(svgW * PNG_SCALE));
    expect(img.height).toBe(Math.round(svgH * PNG_SCALE));
    expect(img.width).toBeGreaterThan(500);
    expect(luminanceVariance(img)).toBeGreaterThan(200);
    // Text is drawn (the bundled font is used): SVG has the title, and it has glyph-sized dark pixels.
    expect(p.svg).toContain('<text');
  });

  it('colours revisions with DVC palette in order (base purple, head teal) in spec and pixels', () => {
    for (const t of ['simple', 'linear', 'smooth', 'scatter', 'bar_horizontal']) {
      const spec = byId(t).spec as { encoding: { color: { field: string; scale: { domain: string[]; range: string[] } } } };
      expect(spec.encoding.color).toMatchObject({ field: 'rev', scale: { domain: ['base', 'head'], range: DVC_PALETTE.slice(0, 2) } });
    }
    const img = decodePng(byId('linear').png!);
    expect(countColor(img, DVC_PALETTE[0]!)).toBeGreaterThan(300);
    expect(countColor(img, DVC_PALETTE[1]!)).toBeGreaterThan(300);
  });

  it('builds Vega-Lite specs with the fields and encodings of the DVC templates', () => {
    const simple: unknown = byId('simple').spec;
    expect(at(simple, 'mark', 'type')).toBe('line');
    expect(at(simple, 'encoding', 'x')).toMatchObject({ field: 'fpr', type: 'quantitative', title: 'fpr' });
    expect(at(simple, 'encoding', 'y')).toMatchObject({ field: 'tpr', type: 'quantitative', scale: { zero: false } });
    expect(at(simple, 'title')).toEqual({ text: 'ROC (test)', anchor: 'middle' });
    expect(at(simple, 'data', 'values', 0)).toMatchObject({ rev: 'base', filename: 'eval/plots/sklearn/roc/test.json', field: 'tpr' });

    const smooth: unknown = byId('smooth').spec;
    expect(at(smooth, 'layer', 0, 'transform', 0)).toMatchObject({ loess: 'loss', on: 'step', groupby: ['rev'] });
    expect(at(smooth, 'layer', 2, 'encoding', 'x')).toMatchObject({ aggregate: 'max', field: 'step' });

    const cm: unknown = byId('confusion').spec;
    expect(at(cm, 'facet', 'column')).toMatchObject({ field: 'rev' });
    expect(at(cm, 'spec', 'transform', 0)).toEqual({ aggregate: [{ op: 'count', as: 'xy_count' }], groupby: ['predicted', 'actual'] });
    expect(records(cm, 'spec', 'layer').map((l) => l.mark)).toEqual(['rect', 'text']);
    const cmn: unknown = byId('confusion_normalized').spec;
    expect(at(cmn, 'spec', 'transform', 4)).toEqual({ calculate: 'datum.xy_count / datum.sum_y', as: 'percent_of_y' });

    const bar: unknown = byId('bar_horizontal_sorted').spec;
    expect(at(bar, 'encoding', 'y')).toMatchObject({ field: 'feature', type: 'nominal', sort: '-x' });
    expect(at(bar, 'encoding', 'yOffset')).toEqual({ field: 'rev', sort: [] });

    const jitter: unknown = byId('scatter_jitter').spec;
    expect(at(jitter, 'encoding', 'xOffset')).toEqual({ field: 'randomX', type: 'quantitative' });
    expect(records(jitter, 'data', 'values').every((d) => (d.randomX as number) >= 0 && (d.randomX as number) < 1)).toBe(true);
  });

  it('gives GitHub-native fallbacks: Mermaid xychart for lines and bars, a table for confusion matrices', () => {
    expect(byId('linear').mermaid).toMatch(/^%%\{init: .*"plotColorPalette": "#945dd6, #13adc7".*\}%%\nxychart-beta\n/);
    expect(byId('linear').mermaid).toMatch(/x-axis "step" 0 --> 59/);
    expect(byId('linear').mermaid!.match(/^ {4}line \[/gm)).toHaveLength(2);
    expect(byId('linear').fallbackMarkdown).toContain('purple: base · teal: head');
    expect(byId('bar_horizontal').mermaid).toMatch(/xychart-beta horizontal[\s\S]*"tenure \(base\)", "tenure \(head\)"/);
    expect(byId('confusion').markdownTable).toMatch(/\*\*base\*\*\n\n\| predicted \\ actual \| +0 \| +1 \|/);
    expect(byId('confusion_normalized').markdownTable).toMatch(/0\.\d\d \|/);
    expect(byId('scatter').mermaid).toBeUndefined();
  });

  it('writes files and a self-contained HTML fragment', () => {
    const files = plotFiles(rendered);
    expect(files.map((f) => f.name)).toContain('confusion_normalized.png');
    expect(files.filter((f) => f.role === 'svg')).toHaveLength(TEMPLATES.length);
    const html = plotsHtml(rendered);
    expect(html.match(/<svg/g)).toHaveLength(TEMPLATES.length);
    expect(html).not.toMatch(/src="http/);
  });
});

describe('example-get-started dvc.yaml, head vs base from git', () => {
  let repo: ReturnType<typeof makeRepo>;
  beforeAll(() => (repo = makeRepo()));
  afterAll(() => repo.cleanup());

  it('renders ROC, confusion matrix, PR curve, the image and the dvclive loss directory', async () => {
    const set = await loadPlots({ cwd: repo.dir, revs: REVS });
    const rendered = await renderPlots(set);
    expect(rendered.map((p) => p.id)).toEqual([
      'ROC',
      'Confusion-Matrix',
      'Precision-Recall',
      'eval/importance.png',
      'dvclive/plots/metrics/train/loss.tsv',
    ]);
    for (const p of rendered) expect(p.problems, p.id).toEqual([]);
    const roc = rendered[0]!;
    // Two files x two revisions: colour by rev, dash by filename (dvc-render's optional anchors).
    expect(at(roc.spec, 'encoding', 'strokeDash')).toMatchObject({ field: 'filename', scale: { domain: ['test.json', 'train.json'] } });
    const revs = new Set(records(roc.spec, 'data', 'values').map((d) => d.rev));
    expect([...revs]).toEqual(['base', 'head']);
    expect(at(rendered[1]!.spec, 'facet', 'row')).toEqual({ field: 'filename' });
    const image = rendered[3]!;
    expect(image.kind).toBe('image');
    expect(image.images.map((i) => [i.rev, i.mime])).toEqual([
      ['base', 'image/png'],
      ['head', 'image/png'],
    ]);
    expect(image.images[0]!.data.equals(image.images[1]!.data)).toBe(false);
  });

  it('passes SVG image plots through and adds a PNG of them for the comment', async () => {
    writeFiles(repo.dir, { 'eval/shap.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#f46837"/></svg>' });
    const [p] = await renderPlots(await loadPlots({ cwd: repo.dir, dvcYaml: false, mlopsPlots: ['eval/shap.svg'], revs: REVS }));
    expect(p!.notes).toEqual(['eval/shap.svg is missing in base; showing head only']);
    const img = decodePng(p!.images[0]!.png!);
    expect([img.width, img.height]).toEqual([40, 20]);
    expect(countColor(img, '#f46837')).toBe(800);
    expect(plotFiles([p!]).map((f) => [f.name, f.role])).toEqual([
      ['eval-shap-head.png', 'image'],
      ['eval-shap-head.svg', 'svg'],
    ]);
  });

  it('a data file missing on one revision renders the other with a note', async () => {
    writeFiles(repo.dir, { 'eval/new.json': JSON.stringify([{ epoch: 1, acc: 0.5 }, { epoch: 2, acc: 0.7 }]) });
    const set = await loadPlots({ cwd: repo.dir, dvcYaml: false, mlopsPlots: [{ 'eval/new.json': { x: 'epoch', y: 'acc' } }], revs: REVS });
    const [p] = await renderPlots(set);
    expect(p!.problems).toEqual([]);
    expect(p!.notes).toEqual(['eval/new.json is missing in base; showing head only']);
    expect(p!.png).toBeDefined();
    expect(at(p!.spec, 'encoding', 'color', 'scale', 'domain')).toEqual(['head']);
  });
});

describe('bad input: a clear problem per plot, the other plots still render', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlops-plots-bad-'));
    gitIn(dir, 'init', '-q', '-b', 'main');
    writeFiles(dir, {
      'ok.json': JSON.stringify([{ x: 1, y: 1 }, { x: 2, y: 4 }]),
      'words.csv': 'epoch,acc\none,0.5\ntwo,0.6\n',
      'broken.json': '{"a": [',
    });
    // A 50 MB data file (sparse: no need to write the bytes).
    closeSync(openSync(join(dir, 'huge.csv'), 'w'));
    truncateSync(join(dir, 'huge.csv'), 50 * 1024 * 1024);
    // A symlink out of the repository (a PR must not publish the runner's files).
    writeFileSync(`${dir}-secret.png`, 'secret');
    symlinkSync(`${dir}-secret.png`, join(dir, 'leak.png'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-secret.png`, { force: true });
  });

  it('refuses paths and symlinks that leave the repository', async () => {
    const set = await loadPlots({
      cwd: dir,
      dvcYaml: false,
      mlopsPlots: ['../etc/passwd.png', 'leak.png', { Mapped: { y: { '../x.json': 'y' } } }],
      revs: [{ name: 'head' }],
    });
    const rendered = await renderPlots(set);
    expect(rendered.map((p) => [p.id, p.images.length, p.problems.map((q) => q.message).join()])).toEqual([
      ['../etc/passwd.png', 0, '../etc/passwd.png is outside the repository; plot paths must stay inside it'],
      ['leak.png', 0, 'leak.png resolves outside the repository (symlink)'],
      ['Mapped', 0, '../x.json is outside the repository; plot paths must stay inside it'],
    ]);
  });

  it('names the plot and file for unknown fields, non-numeric axes, unknown templates, huge and broken files', async () => {
    const set = await loadPlots({
      cwd: dir,
      dvcYaml: false,
      mlopsPlots: [
        { 'ok.json': { x: 'x', y: 'y' } },
        { Missing: { x: 'x', y: { 'ok.json': 'nope' } } },
        { 'words.csv': { x: 'epoch', y: 'acc' } },
        { Fancy: { template: 'radar', x: 'x', y: { 'ok.json': 'y' } } },
        { 'huge.csv': { x: 'a', y: 'b' } },
        'broken.json',
        'absent.json',
      ],
      revs: [{ name: 'head' }],
    });
    const rendered = await renderPlots(set);
    const problems = Object.fromEntries(rendered.map((p) => [p.id, p.problems.map(describeProblem).join(' | ')]));
    expect(rendered.find((p) => p.id === 'ok.json')!.png).toBeDefined();
    expect(problems['ok.json']).toBe('');
    expect(problems.Missing).toMatch(/plot "Missing" ok.json \(head\): field "nope" not found in ok.json \(fields: x, y\)/);
    expect(problems['words.csv']).toMatch(/^plot "words.csv": field "epoch" has the non-numeric value "one" \(in words.csv, head\)/);
    expect(problems['words.csv']).toMatch(/template "linear" needs numbers/);
    expect(problems.Fancy).toMatch(/unknown template "radar" \(built-in templates: simple, linear/);
    expect(problems['huge.csv']).toMatch(/huge.csv is 50.0 MB in head, over the 20 MB limit/);
    expect(problems['broken.json']).toMatch(/cannot parse broken.json/);
    expect(problems['absent.json']).toMatch(/absent.json not found in head/);
    for (const p of rendered.filter((r) => r.id !== 'ok.json')) {
      expect(p.png, p.id).toBeUndefined();
      expect(p.problems[0]!.configFile).toBe('mlops.yml');
    }
  });
});

describe('custom templates (DVC: template name in .dvc/plots/ or a path)', () => {
  it('fills <DVC_METRIC_*> anchors and renders; a missing one is an unknown template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-plots-tpl-'));
    try {
      const tpl = {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: { values: '<DVC_METRIC_DATA>' },
        title: '<DVC_METRIC_TITLE>',
        width: '<DVC_METRIC_PLOT_WIDTH>',
        height: 200,
        mark: 'point',
        encoding: {
          x: { field: '<DVC_METRIC_X>', type: 'quantitative', title: '<DVC_METRIC_X_LABEL>' },
          y: { field: '<DVC_METRIC_Y>', type: 'quantitative', title: 'y is <DVC_METRIC_Y_LABEL>' },
          color: '<DVC_METRIC_COLOR>',
        },
      };
      writeFiles(dir, {
        '.dvc/plots/dots.json': JSON.stringify(tpl),
        'm.json': JSON.stringify([{ 'a.b': 1, y: 2 }, { 'a.b': 2, y: 3 }]),
      });
      const set = await loadPlots({
        cwd: dir,
        dvcYaml: false,
        mlopsPlots: [{ Dots: { template: 'dots', x: 'a.b', y: { 'm.json': 'y' } } }, { Nope: { template: 'nope', y: { 'm.json': 'y' } } }],
        revs: [{ name: 'workspace' }],
      });
      const [dots, nope] = await renderPlots(set);
      expect(dots!.problems).toEqual([]);
      expect(dots!.spec).toMatchObject({
        title: 'Dots',
        width: 300,
        encoding: { x: { field: 'a\\.b', title: 'a.b' }, y: { field: 'y', title: 'y is y' }, color: { field: 'rev', scale: { domain: ['workspace'] } } },
      });
      expect(at(dots!.spec, 'data', 'values')).toHaveLength(2);
      expect(decodePng(dots!.png!).height).toBe(Math.round(Number(/height="([\d.]+)"/.exec(dots!.svg!)![1]) * PNG_SCALE));
      expect(nope!.problems[0]!.message).toMatch(/unknown template "nope"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dvc.yaml discovery', () => {
  it('reads every dvc.yaml of the work tree (not gitignored ones), paths relative to each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-plots-multi-'));
    try {
      gitIn(dir, 'init', '-q', '-b', 'main');
      writeFiles(dir, {
        'dvc.yaml': 'plots:\n- top.json\n',
        'top.json': JSON.stringify([{ a: 1 }, { a: 2 }]),
        'models/b/dvc.yaml': 'stages:\n  train:\n    cmd: x\n    plots:\n    - logs/loss.csv:\n        x: step\n',
        'models/b/logs/loss.csv': 'step,loss\n0,1\n1,0.5\n',
        '.gitignore': 'ignored/\n',
        'ignored/dvc.yaml': 'plots:\n- nope.json\n',
      });
      const set = await loadPlots({ cwd: dir, revs: [{ name: 'workspace' }] });
      expect(set.plots.map((p) => [p.id, p.definition.configFile])).toEqual([
        ['top.json', 'dvc.yaml'],
        ['models/b/logs/loss.csv', 'models/b/dvc.yaml'],
      ]);
      const rendered = await renderPlots(set, { png: false });
      expect(rendered.map((p) => p.problems)).toEqual([[], []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('large series', () => {
  it('downsamples 10,000 points per series for display and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-plots-big-'));
    try {
      const rows = ['step,loss', ...Array.from({ length: 10_000 }, (_, i) => `${i},${(Math.exp(-i / 2000) + (i === 7777 ? 2 : 0)).toFixed(5)}`)];
      writeFileSync(join(dir, 'loss.csv'), rows.join('\n'));
      writeFileSync(join(dir, 'dvc.yaml'), 'plots:\n- loss.csv:\n    x: step\n    y: loss\n');
      const [p] = await renderPlots(await loadPlots({ cwd: dir, revs: [{ name: 'workspace' }] }));
      expect(p!.problems).toEqual([]);
      expect(p!.notes).toHaveLength(1);
      expect(p!.notes[0]).toMatch(/^workspace · loss.csv · loss: 10,000 points shown as [\d,]+ for display \(min\/max per x bucket, shape kept\)$/);
      const values = records(p!.spec, 'data', 'values') as { loss: number }[];
      expect(values.length).toBeLessThan(1300);
      expect(values.some((v) => v.loss > 2)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('large series, smoothed', () => {
  it('smooths a downsampled series over fewer min/max points, in a data set of the loess layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-plots-smooth-'));
    try {
      const rows = ['step,loss', ...Array.from({ length: 10_000 }, (_, i) => `${i},${(Math.exp(-i / 2000) + ((i * 7919) % 100) / 1000).toFixed(5)}`)];
      writeFileSync(join(dir, 'loss.csv'), rows.join('\n'));
      writeFileSync(join(dir, 'short.csv'), 'step,loss\n0,1\n1,0.5\n2,0.4\n');
      writeFileSync(join(dir, 'dvc.yaml'), 'plots:\n- loss:\n    template: smooth\n    x: step\n    y:\n      loss.csv: loss\n      short.csv: loss\n');
      const [p] = await renderPlots(await loadPlots({ cwd: dir, revs: [{ name: 'workspace' }] }));
      expect(p!.problems).toEqual([]);
      expect(p!.notes).toEqual([
        'workspace · loss.csv · loss: 10,000 points shown as 602 for display (min/max per x bucket, shape kept; smoothed over 402 min/max points)',
      ]);
      const drawn = records(p!.spec, 'data', 'values');
      const smoothed = records(p!.spec, 'layer', 0, 'data', 'values');
      expect(at(p!.spec, 'layer', 0, 'transform', 0)).toMatchObject({ loess: 'loss', on: 'step' });
      expect(drawn.filter((d) => d.filename === 'loss.csv')).toHaveLength(602);
      expect(smoothed.filter((d) => d.filename === 'loss.csv')).toHaveLength(402);
      // The short series is smoothed over all its points, as drawn; no datum object is in both sets.
      expect(smoothed.filter((d) => d.filename === 'short.csv').map((d) => d.loss)).toEqual([1, 0.5, 0.4]);
      expect(smoothed.some((d) => drawn.includes(d))).toBe(false);
      expect(p!.png).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('the example dvc.yaml fixture is what DVC example-get-started declares', () => {
  expect(parseDvcYamlPlots(GET_STARTED_DVC_YAML, 'dvc.yaml').map((d) => d.id)).toEqual([
    'ROC',
    'Confusion-Matrix',
    'Precision-Recall',
    'eval/importance.png',
    'dvclive/plots/metrics',
  ]);
});
