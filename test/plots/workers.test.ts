import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPlots, renderPlots, type RenderedPlot } from '../../src/lib/plots/index.js';
import { pngWorkers, startPngWorkers, stopPngWorkers } from '../../src/lib/plots/png-pool.js';
import { TEMPLATE_PLOTS, makeRepo } from './fixtures.js';

// From source the worker is TypeScript, loaded through tsx (bundled, it is png-worker.js).
const fromSource = { script: join(import.meta.dirname, 'png-worker-from-source.mjs') };
const REVS = [{ name: 'base', ref: 'main' }, { name: 'head' }];

describe('PNG workers', () => {
  let repo: ReturnType<typeof makeRepo>;
  let inThread: RenderedPlot[];
  const render = async () => renderPlots(await loadPlots({ cwd: repo.dir, dvcYaml: false, mlopsPlots: TEMPLATE_PLOTS, revs: REVS }));

  beforeAll(async () => {
    repo = makeRepo();
    await stopPngWorkers();
    inThread = await render();
    // Run from source there is no bundled worker next to the module: PNGs were made in this thread.
    expect(pngWorkers()).toBe(0);
  });
  afterAll(() => repo.cleanup());
  beforeEach(() => stopPngWorkers());
  afterEach(() => stopPngWorkers());

  it('make the same PNG bytes as this thread, each on its own plot, scatter laid out first or not', async () => {
    startPngWorkers({ ...fromSource, size: 2 });
    expect(pngWorkers()).toBe(2);
    const inWorkers = await render();
    expect(pngWorkers()).toBe(2);
    expect(inWorkers.map((p) => p.id)).toEqual(inThread.map((p) => p.id));
    for (const [i, p] of inWorkers.entries()) {
      expect(p.problems, p.id).toEqual([]);
      expect(p.png?.equals(inThread[i]!.png!), p.id).toBe(true);
      expect([p.width, p.height]).toEqual([inThread[i]!.width, inThread[i]!.height]);
      // Vega numbers gradients and clip paths per process (ids unique across the charts of one page).
      const ids = (svg?: string) => svg?.replace(/\b(gradient_|clip)\d+/g, '$1#');
      expect(ids(p.svg)).toBe(ids(inThread[i]!.svg));
    }
  });

  it('a worker that cannot start leaves the PNGs to this thread, same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-png-worker-'));
    try {
      writeFileSync(join(dir, 'broken.mjs'), "throw new Error('no renderer here');\n");
      startPngWorkers({ script: join(dir, 'broken.mjs'), size: 1 });
      const rendered = await render();
      expect(pngWorkers()).toBe(0);
      for (const [i, p] of rendered.entries()) expect(p.png?.equals(inThread[i]!.png!), p.id).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a worker whose renderer fails to render one SVG reports that plot, not the others', async () => {
    startPngWorkers({ ...fromSource, size: 1 });
    const { rasterize } = await import('../../src/lib/plots/png-pool.js');
    await expect(rasterize('<svg')).rejects.toThrow(/SVG/);
    expect(pngWorkers()).toBe(1);
  });
});
