/**
 * Build the PR report and put it where people read it: report.md + report.html on disk, and (when a
 * PR and a client are at hand) the sticky comment. Shared by the cml-report action and `mlops report`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stageOfBranch, type MlopsConfig } from '../config.js';
import { messageOf, UserError } from '../errors.js';
import type { GateVerdict } from '../gate.js';
import { hostAssets } from '../github/assets.js';
import { upsertStickyComment } from '../github/comments.js';
import type { RunContext } from '../github/context.js';
import type { Octokit } from '../github/octokit.js';
import type { Logger } from '../log.js';
import type { Snapshot } from '../metrics/index.js';
import type { RevisionSpec } from '../plots/index.js';
import { startPngWorkers } from '../plots/png-pool.js';
import { readState, servingCommit, type RegistryBackend } from '../registry/index.js';
import { buildReport, renderHtml, renderMarkdown, type Override, type ReportSection } from './index.js';
import type { PlotHost } from './plots.js';
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
  /**
   * Compare with the model serving in this stage (from the registry tags): a stage name, `auto` (the
   * stage of the PR's target branch, per mlops.yml branches) or `none`. An explicit servingRef wins.
   */
  servingStage?: string;
  /** Where the registry tags are read from (GitHub API in actions, local git in the CLI). */
  registry?: RegistryBackend;
  reportId: string;
  title: string;
  overrideLabel?: string;
  /** Absolute path of report.md; report.html is written next to it. */
  reportPath: string;
  comment: boolean;
  plots: boolean;
  /** `branch` (PNGs committed to the assets branch) or `none` (GitHub-native fallbacks). */
  imageHost: string;
  logger?: Logger;
}

export interface PublishResult {
  markdown: string;
  html: string;
  reportPath: string;
  htmlPath: string;
  commentUrl?: string;
  /** Why the comment could not be posted (the report files were written all the same). */
  commentError?: UserError;
  head: Snapshot;
  gate?: GateVerdict;
}

export function htmlPathOf(reportPath: string): string {
  return /\.md$/i.test(reportPath) ? reportPath.replace(/\.md$/i, '.html') : `${reportPath}.html`;
}

/** Plot images committed to the repository's assets branch (src/lib/github/assets.ts). */
function branchHost(octokit: Octokit, ctx: RunContext, logger?: Logger): PlotHost {
  return async (files) => {
    const r = await hostAssets(octokit, {
      owner: ctx.owner,
      repo: ctx.repo,
      pr: ctx.prNumber,
      sha: ctx.sha,
      files: files.map((f) => ({ name: f.name, content: f.content })),
      logger,
    });
    // buildPlotsSection turns this into the fallback charts plus a note saying why.
    if (r.kind === 'forbidden') throw new Error(r.message);
    return new Map(Object.entries(r.urls));
  };
}

/** The commit of the version serving in the target stage, from the registry; undefined when none. */
async function findServing(o: PublishOptions, config: MlopsConfig | undefined): Promise<{ ref: string; label: string } | undefined> {
  const want = o.servingStage ?? 'auto';
  if (want === 'none' || !o.registry || !config?.artifact) return undefined;
  const stage = want === 'auto' ? (o.ctx.baseRef ? stageOfBranch(config, o.ctx.baseRef) : undefined) : want;
  if (!stage) return undefined;
  try {
    const state = await readState(o.registry, config.artifact, o.logger);
    const s = servingCommit(state, config.artifact, stage);
    if (!s) {
      o.logger?.info(`No version of ${config.artifact} is in stage ${stage} yet: no serving-model comparison`);
      return undefined;
    }
    return { ref: s.commit, label: o.servingLabel ?? `${stage} ${s.version}` };
  } catch (e) {
    // The report is still useful without this table; say why it is missing.
    o.logger?.warning(`Cannot read the model registry (${o.registry.where}) for stage ${stage}: ${messageOf(e)}`);
    return undefined;
  }
}

export async function publishReport(o: PublishOptions): Promise<PublishResult> {
  const { ctx, logger } = o;
  if (!['branch', 'none'].includes(o.imageHost)) {
    throw new UserError(`image-host must be branch or none, got "${o.imageHost}"`, { field: 'image-host' });
  }
  // The PNG workers load the renderer while the registry, git and the API are read.
  if (o.plots) startPngWorkers();
  const cfg = loadLoopConfig({ cwd: o.cwd, configPath: o.configPath, rules: o.rules, metrics: o.metrics, params: o.params });
  const serving = o.servingRef ? { ref: o.servingRef, label: o.servingLabel } : await findServing(o, cfg.config);
  const snaps = await readSnapshots(o.cwd, cfg.sources, { base: o.baselineRef, serving: serving?.ref }, logger);
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
    const canHost = o.imageHost === 'branch' && o.octokit && ctx.owner && ctx.sha;
    const host = canHost ? branchHost(o.octokit!, ctx, logger) : undefined;
    const noHostReason =
      o.imageHost === 'none' || !o.comment
        ? undefined
        : 'Plot images are not hosted in this run (no repository to commit them to); showing GitHub-native charts. The HTML report has every chart.';
    // Loaded only when plots are wanted: vega and the renderer are most of the bundle's start-up time.
    const { buildPlotsSection } = await import('./plots.js');
    const plots = await buildPlotsSection({ cwd: o.cwd, config: cfg.config, revs, host, noHostReason, logger, outDir: join(dirname(o.reportPath), 'plots') });
    if (plots.section) extraSections.push(plots.section);
  }

  const report = buildReport({
    title: o.title,
    head: snaps.head,
    headLabel: ctx.sha ? ctx.sha.slice(0, 7) : 'workspace',
    baselines: baselinesOf(snaps, serving?.label),
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
  let commentError: UserError | undefined;
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
      // Returned, not thrown: the caller still writes the summary and outputs, then fails.
      commentError = forkAware(e, ctx, `post the report on #${ctx.prNumber}`);
    }
  } else if (o.comment && !ctx.prNumber) {
    logger?.info(`No pull request for this ${ctx.eventName || 'run'}: report written to the job summary and ${o.reportPath} only`);
  }
  return { markdown, html, reportPath: o.reportPath, htmlPath, commentUrl, commentError, head: snaps.head, gate };
}
