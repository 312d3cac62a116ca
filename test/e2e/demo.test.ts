/**
 * End to end: the demo lifecycle through the dist actions, then its final state (tags, stages,
 * environment files, comments, statuses, deployments, images) and demo-out/index.html opened in
 * headless Chromium with the plots checked as rendered images.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexHtml } from '../../scripts/demo-page.js';
import { makeTempDir, removeTempDir } from '../harness/tmp.js';
import { runLifecycle, type DemoResult } from './lifecycle.js';

const CHROMIUM = '/usr/bin/chromium';
let out: string;
let result: DemoResult;

beforeAll(async () => {
  out = await makeTempDir('mlops-demo-');
  result = await runLifecycle({ outDir: out });
  writeFileSync(join(out, 'index.html'), indexHtml(result));
}, 900_000);

afterAll(async () => {
  if (out) await removeTempDir(out);
});

describe('the demo lifecycle', () => {
  it('made only requests GitHub would accept', () => {
    expect(result.invalidRequests).toBe(0);
  });

  it('ends with v0.0.2 in dev and staging and production rolled back to v0.0.1', () => {
    expect(result.show.artifacts['churn-model']).toEqual({
      versions: ['v0.0.1', 'v0.0.2'],
      latest: 'v0.0.2',
      stages: { dev: 'v0.0.2', staging: 'v0.0.2', production: 'v0.0.1' },
    });
    expect(result.tags).toEqual(expect.arrayContaining(['churn-model@v0.0.1', 'churn-model@v0.0.2']));
    // Every assignment is its own counter-bearing tag: 2 dev + 2 staging + 2 production + 1 rollback.
    expect(result.tags.filter((t) => t.includes('#')).length).toBe(7);
  });

  it('blocked the worse experiment and passed the others, on the PR head', () => {
    const gate = (title: string) => result.prs.find((p) => p.title === title)!.statuses.find((s) => s.context === 'metric-gate')?.state;
    expect(gate('Experiment experiment/more-trees')).toBe('success');
    expect(gate('Experiment experiment/tiny-vocab')).toBe('failure');
    expect(gate('Experiment experiment/calibrated')).toBe('success');
  });

  it('kept one sticky report comment per PR', () => {
    for (const p of result.prs.filter((x) => x.reports.length > 0)) {
      expect(p.comments.filter((c) => c.includes('mlops-actions:report:metrics')).length, `#${p.number}`).toBe(1);
    }
  });

  it('opened promotion PRs main -> staging -> production', () => {
    const promos = result.prs.filter((p) => p.title.startsWith('Promote churn-model'));
    expect(promos.map((p) => `${p.head}->${p.base}`)).toEqual(expect.arrayContaining(['main->staging', 'staging->production']));
    expect(promos.every((p) => p.body.includes('What merging does'))).toBe(true);
  });

  it('bumped dev and staging directly and production through one bump PR', () => {
    expect(result.envFiles.dev).toMatch(/newTag: "?v0\.0\.2/);
    expect(result.envFiles.staging).toMatch(/newTag: "?v0\.0\.2/);
    expect(result.envFiles.dev).toContain('# replaced by bump-env-tag');
    expect(result.envFiles.production).toContain('bootstrap');
    expect(result.productionBumpBranch).toMatch(/newTag: "?v0\.0\.1/);
    expect(result.prs.filter((p) => p.head.startsWith('bump/production/'))).toHaveLength(1);
  });

  it('recorded deployments for the directly bumped environments (production waits for its bump PR)', () => {
    const envs = new Set(result.deployments.map((d) => d.environment));
    expect(envs).toEqual(new Set(['dev', 'staging']));
    // auto_inactive: the newest deployment of an environment is success, the ones it replaced inactive.
    for (const env of envs) {
      const mine = result.deployments.filter((d) => d.environment === env);
      expect(mine.at(-1)!.statuses.at(-1), env).toBe('success');
      for (const older of mine.slice(0, -1)) expect(older.statuses.at(-1), env).toBe('inactive');
    }
  });

  it('built each version once and re-tagged the same digest', () => {
    if (!result.registry) return;
    expect(result.images.tags).toEqual(expect.arrayContaining(['v0.0.1', 'v0.0.2', 'staging', 'production']));
    const built = result.timeline.filter((t) => t.step.includes('build-image (oci, once)'));
    expect(built).toHaveLength(2);
  });

  it.skipIf(!existsSync(CHROMIUM))('shows the plots as images in demo-out/index.html (headless Chromium)', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${join(out, 'index.html')}`);
      const charts = await page.$$eval('.report svg', (svgs) =>
        svgs.map((s) => {
          const r = s.getBoundingClientRect();
          return { w: r.width, h: r.height, marks: s.querySelectorAll('path, rect').length };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(8);
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(200);
        expect(c.h).toBeGreaterThan(150);
        expect(c.marks).toBeGreaterThan(3);
      }
      await page.screenshot({ path: join(out, 'index.png'), fullPage: false });
    } finally {
      await browser.close();
    }
  });
});
