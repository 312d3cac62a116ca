/**
 * Build the PR report and put it where people read it: report.md + report.html on disk, and (when a
 * PR and a client are at hand) the sticky comment. Shared by the cml-report action and `mlops report`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GateVerdict } from '../gate.js';
import { upsertStickyComment } from '../github/comments.js';
import type { RunContext } from '../github/context.js';
import type { Octokit } from '../github/octokit.js';
import type { Logger } from '../log.js';
import type { Snapshot } from '../metrics/index.js';
import type { RevisionSpec } from '../plots/index.js';
import { buildReport, renderHtml, renderMarkdown, type Override, type ReportSection } from './index.js';
import { buildPlotsSection, type PlotHost } from './plots.js';
import { baselinesOf, findOverride, forkAware, gateOf, loadLoopConfig, readSnapshots } from './pr-loop.js';

export interface PublishOptions {
  octokit?: Octokit;
  ctx: RunContext;
  cwd: string;
  configPath?: string;
  rules?: string;
  metrics?: string[];
  params?: string[];
  baselineRef?: string;
  servingRef?: string;
  servingLabel?: string;
  reportId: string;
  title: string;
  overrideLabel?: string;
  /** Absolute path of report.md; report.html is written next to it. */
  reportPath: string;
  comment: boolean;
  plots: boolean;
  /** `branch` (host PNGs through `plotHost`) or `none` (GitHub-native fallbacks). */
  imageHost: string;
  plotHost?: PlotHost;
  logger?: Logger;
}

export interface PublishResult {
  markdown: string;
  html: string;
  reportPath: string;
  htmlPath: string;
  commentUrl?: string;
  head: Snapshot;
  gate?: GateVerdict;
}

export function htmlPathOf(reportPath: string): string {
  return /\.md$/i.test(reportPath) ? reportPath.replace(/\.md$/i, '.html') : `${reportPath}.html`;
}

export async function publishReport(o: PublishOptions): Promise<PublishResult> {
  const { ctx, logger } = o;
  const cfg = loadLoopConfig({ cwd: o.cwd, configPath: o.configPath, rules: o.rules, metrics: o.metrics, params: o.params });
  const snaps = await readSnapshots(o.cwd, cfg.sources, { base: o.baselineRef, serving: o.servingRef }, logger);
  const gate = cfg.rules.length ? gateOf(cfg, snaps) : undefined;
  let override: Override | undefined;
  if (gate && !gate.passed && o.octokit && o.overrideLabel && ctx.prNumber) {
    const found = await findOverride(o.octokit, ctx, o.overrideLabel, logger);
    if (found && 'by' in found) override = found;
  }

  const extraSections: ReportSection[] = [];
  if (o.plots) {
    const revs: RevisionSpec[] = [];
    if (snaps.base?.snapshot) revs.push({ name: snaps.base.snapshot.label, ref: snaps.base.snapshot.sha });
    if (snaps.serving?.snapshot) revs.push({ name: `serving ${snaps.serving.snapshot.label}`, ref: snaps.serving.snapshot.sha });
    revs.push({ name: 'head' });
    const host = o.imageHost === 'branch' ? o.plotHost : undefined;
    const noHostReason =
      o.imageHost === 'none'
        ? undefined
        : 'Plot images are not hosted in this run; showing GitHub-native charts. The HTML report has every chart.';
    const plots = await buildPlotsSection({ cwd: o.cwd, config: cfg.config, revs, host, noHostReason, logger });
    if (plots.section) extraSections.push(plots.section);
  }

  const report = buildReport({
    title: o.title,
    head: snaps.head,
    headLabel: ctx.sha ? ctx.sha.slice(0, 7) : 'workspace',
    baselines: baselinesOf(snaps, o.servingLabel),
    gate,
    override,
    sha: ctx.sha || undefined,
    runUrl: ctx.runUrl,
    extraSections,
  });
  const markdown = renderMarkdown(report);
  const html = renderHtml(report);
  const htmlPath = htmlPathOf(o.reportPath);
  mkdirSync(dirname(o.reportPath), { recursive: true });
  writeFileSync(o.reportPath, markdown);
  writeFileSync(htmlPath, html);
  logger?.info(`Report written to ${o.reportPath} and ${htmlPath}`);

  let commentUrl: string | undefined;
  if (o.comment && o.octokit && ctx.prNumber) {
    try {
      const res = await upsertStickyComment(o.octokit, {
        owner: ctx.owner,
        repo: ctx.repo,
        issueNumber: ctx.prNumber,
        id: o.reportId,
        body: markdown,
        logger,
        fullReportUrl: ctx.runUrl,
      });
      commentUrl = res.url;
    } catch (e) {
      throw forkAware(e, ctx, `post the report on #${ctx.prNumber}`);
    }
  } else if (o.comment && !ctx.prNumber) {
    logger?.info(`No pull request for this ${ctx.eventName || 'run'}: report written to the job summary and ${o.reportPath} only`);
  }
  return { markdown, html, reportPath: o.reportPath, htmlPath, commentUrl, head: snaps.head, gate };
}
