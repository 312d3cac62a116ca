/**
 * The promotion pull request: after a version lands in stage S, exactly one PR from S's branch into the
 * next stage's branch carries the evidence a maintainer needs to merge it (what version, which commits
 * and PRs, metrics against what serves there now, plots, the image digest that will deploy, and what the
 * merge will do). Like a release PR it is opened once and kept current:
 *   - a newer version in S updates the same PR in place (title and body);
 *   - a rollback in S (an older version than the PR names) or a target stage that already holds the
 *     version or a newer one (superseded) closes it with a comment;
 *   - no difference between the branches closes it too.
 * Registry state, PRs and the compare API come from GitHub; metrics and plots are read from the local
 * checkout at the registered commits (fetched on demand), the same way cml-report reads baselines.
 */
import type { MlopsConfig } from './config.js';
import { UserError } from './errors.js';
import { apiError, httpStatus } from './github/errors.js';
import type { Octokit } from './github/octokit.js';
import { findOpenPull, openOrUpdatePull } from './github/pulls.js';
import { truncateBody, MAX_COMMENT_CHARS } from './github/comments.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { readRevisionSnapshot, type Snapshot } from './metrics/index.js';
import { branchesOfStage, nextStage, previousStage, stageOfBranch } from './promotion.js';
import { GitHubTagBackend } from './registry/github.js';
import { parseTagMessage, readState, servingCommit, compareVersions, type RegistryState } from './registry/index.js';
import { buildReport, renderMarkdown, type ReportSection } from './report/index.js';
import { buildPlotsSection, type PlotHost } from './report/plots.js';

export const PROMOTION_LABEL = 'promotion';
export const PROMOTION_MARKER = '<!-- mlops-actions:promotion-pr -->';
/** Commits listed one by one in the body; the rest are counted. */
const LISTED_COMMITS = 50;
/** The compare API returns at most 250 commits; that is enough to find the PRs of a promotion. */
const MAX_COMPARE_PAGES = 3;

export interface PromotionPrOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  config: MlopsConfig;
  /** The next stage's branch: the PR base. */
  into: string;
  /** Local checkout, for metrics and plots at the registered commits. */
  cwd: string;
  serverUrl?: string;
  runUrl?: string;
  plots?: boolean;
  plotHost?: PlotHost;
  dryRun?: boolean;
  logger?: Logger;
}

export type PromotionAction = 'opened' | 'updated' | 'closed' | 'none';

export interface PromotionPrResult {
  action: PromotionAction;
  /** Why, in one line (also the comment posted when closing). */
  reason: string;
  number?: number;
  url?: string;
  version?: string;
  from: string;
  into: string;
  title?: string;
  body?: string;
  dryRun: boolean;
}

interface Holder {
  version: string;
  commit: string;
  tag: string;
}

interface CompareSummary {
  total: number;
  commits: { sha: string; title: string; author?: string }[];
  pulls: number[];
}

export function promotionTitle(artifact: string, version: string, stage: string): string {
  return `Promote ${artifact} ${version} to ${stage}`;
}

/** The version a promotion PR title names, if it is one of ours. */
export function versionOfTitle(title: string, artifact: string): string | undefined {
  const prefix = `Promote ${artifact} `;
  if (!title.startsWith(prefix)) return undefined;
  return title.slice(prefix.length).split(' ')[0];
}

export async function syncPromotionPr(o: PromotionPrOptions): Promise<PromotionPrResult> {
  const log = o.logger ?? silentLogger;
  const cfg = o.config;
  const intoStage = stageOfBranch(cfg, o.into);
  if (!intoStage) throw new UserError(`branch "${o.into}" is not a stage branch in mlops.yml branches: (${Object.keys(cfg.branches).join(', ')})`, { field: 'into' });
  const fromStage = previousStage(cfg, intoStage);
  if (!fromStage) throw new UserError(`stage "${intoStage}" is the first stage: versions enter it by registration, not by a promotion PR`, { field: 'into' });
  const from = branchesOfStage(cfg, fromStage)[0];
  if (!from) throw new UserError(`no branch maps to stage "${fromStage}" in mlops.yml branches:`, { field: 'branches' });
  const base = { from, into: o.into, dryRun: Boolean(o.dryRun) };
  const repoArgs = { owner: o.owner, repo: o.repo };

  const backend = new GitHubTagBackend(o.octokit, { ...repoArgs, log });
  const state = await readState(backend, cfg.artifact, log);
  const candidate = servingCommit(state, cfg.artifact, fromStage);
  const serving = servingCommit(state, cfg.artifact, intoStage);
  const existing = await findOpenPull(o.octokit, { ...repoArgs, head: from, base: o.into });
  const existingTitle = existing ? await pullTitle(o.octokit, o.owner, o.repo, existing.number) : undefined;
  const existingVersion = existingTitle ? versionOfTitle(existingTitle, cfg.artifact) : undefined;

  const close = async (reason: string): Promise<PromotionPrResult> => {
    if (!existing) return { ...base, action: 'none', reason, version: candidate?.version };
    if (!o.dryRun) await closePull(o.octokit, o.owner, o.repo, existing.number, reason);
    log.info(`${o.dryRun ? 'would close' : 'closed'} #${existing.number}: ${reason}`);
    return { ...base, action: 'closed', reason, number: existing.number, url: existing.url, version: existingVersion };
  };

  if (!candidate) return close(`no version of ${cfg.artifact} is in ${fromStage}, so there is nothing to promote to ${intoStage}`);
  if (existingVersion && existingVersion !== candidate.version && compareVersions(candidate.version, existingVersion) < 0 && isVersion(existingVersion)) {
    return close(`${cfg.artifact} ${existingVersion} was rolled back in ${fromStage} (it now holds ${candidate.version}); this promotion is withdrawn`);
  }
  if (serving && (serving.version === candidate.version || compareVersions(serving.version, candidate.version) > 0)) {
    return close(
      serving.version === candidate.version
        ? `${intoStage} already holds ${cfg.artifact} ${candidate.version}`
        : `${candidate.version} was superseded: ${intoStage} already holds the newer ${serving.version}`,
    );
  }

  const compare = await compareBranches(o.octokit, o.owner, o.repo, o.into, from);
  if (compare.total === 0) return close(`${from} and ${o.into} have no difference`);

  const title = promotionTitle(cfg.artifact, candidate.version, intoStage);
  const body = await promotionBody(o, state, { fromStage, intoStage, from, candidate, serving, compare });
  if (o.dryRun) {
    return { ...base, action: existing ? 'updated' : 'opened', reason: 'dry run', number: existing?.number, url: existing?.url, version: candidate.version, title, body };
  }
  const pr = await openOrUpdatePull(o.octokit, { ...repoArgs, head: from, base: o.into, title, body });
  await addLabel(o.octokit, o.owner, o.repo, pr.number, log);
  if (!pr.created && existingVersion && existingVersion !== candidate.version) {
    await comment(o.octokit, o.owner, o.repo, pr.number, `Updated to ${cfg.artifact} ${candidate.version} (was ${existingVersion}), now in ${fromStage}.`);
  }
  log.info(`${pr.created ? 'opened' : 'updated'} promotion PR #${pr.number}: ${title}`);
  return { ...base, action: pr.created ? 'opened' : 'updated', reason: title, number: pr.number, url: pr.url, version: candidate.version, title, body };
}

const isVersion = (v: string) => /^v\d+\.\d+\.\d+/.test(v);

async function pullTitle(octokit: Octokit, owner: string, repo: string, number: number): Promise<string> {
  try {
    return (await octokit.rest.pulls.get({ owner, repo, pull_number: number })).data.title;
  } catch (e) {
    throw apiError(e, `read pull request #${number}`, { permission: 'pull-requests: read' });
  }
}

async function closePull(octokit: Octokit, owner: string, repo: string, number: number, reason: string): Promise<void> {
  await comment(octokit, owner, repo, number, `Closing: ${reason}.`);
  try {
    await octokit.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed' });
  } catch (e) {
    throw apiError(e, `close pull request #${number}`, { permission: 'pull-requests: write' });
  }
}

async function comment(octokit: Octokit, owner: string, repo: string, number: number, body: string): Promise<void> {
  try {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
  } catch (e) {
    throw apiError(e, `comment on pull request #${number}`, { permission: 'pull-requests: write' });
  }
}

async function addLabel(octokit: Octokit, owner: string, repo: string, number: number, log: Logger): Promise<void> {
  try {
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [PROMOTION_LABEL] });
  } catch (e) {
    // The PR itself is the deliverable; a missing label permission should not fail the promotion.
    log.warning(`could not label #${number} "${PROMOTION_LABEL}" (GitHub answered ${httpStatus(e) ?? 'an error'}); grant issues: write to label it`);
  }
}

async function compareBranches(octokit: Octokit, owner: string, repo: string, baseBranch: string, head: string): Promise<CompareSummary> {
  const commits: CompareSummary['commits'] = [];
  let total = 0;
  try {
    for (let page = 1; page <= MAX_COMPARE_PAGES; page++) {
      const res = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${baseBranch}...${head}`, per_page: 100, page });
      total = res.data.total_commits;
      for (const c of res.data.commits) {
        commits.push({ sha: c.sha, title: c.commit.message.split('\n')[0] ?? '', author: c.author?.login ?? c.commit.author?.name ?? undefined });
      }
      if (commits.length >= total || res.data.commits.length < 100) break;
    }
  } catch (e) {
    if (httpStatus(e) === 404) throw new UserError(`cannot compare ${baseBranch}...${head} in ${owner}/${repo}: one of the branches does not exist`, { field: 'into' });
    throw apiError(e, `compare ${baseBranch}...${head}`, { permission: 'contents: read' });
  }
  // Merge commits and squash merges both name their PR in the first line.
  const pulls = new Set<number>();
  for (const c of commits) {
    const m = /^Merge pull request #(\d+)\b/.exec(c.title) ?? /\(#(\d+)\)\s*$/.exec(c.title);
    if (m) pulls.add(Number(m[1]));
  }
  return { total, commits, pulls: [...pulls].sort((a, b) => a - b) };
}

/** Image digest recorded in the audit record of the version's tags (assignment first, then registration). */
async function imageDigestOf(octokit: Octokit, owner: string, repo: string, state: RegistryState, artifact: string, holder: Holder): Promise<string | undefined> {
  const art = state.artifacts.get(artifact);
  const tags = [holder.tag, art?.versions.get(holder.version)?.tag].filter((t): t is string => Boolean(t));
  for (const tag of tags) {
    const message = await tagMessage(octokit, owner, repo, tag);
    const digest = parseTagMessage(message).audit?.image_digest;
    if (digest) return digest;
  }
  return undefined;
}

async function tagMessage(octokit: Octokit, owner: string, repo: string, tag: string): Promise<string | undefined> {
  try {
    const ref = await octokit.rest.git.getRef({ owner, repo, ref: `tags/${tag}` });
    if (ref.data.object.type !== 'tag') return undefined;
    return (await octokit.rest.git.getTag({ owner, repo, tag_sha: ref.data.object.sha })).data.message;
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw apiError(e, `read tag ${tag}`, { permission: 'contents: read' });
  }
}

interface BodyInput {
  fromStage: string;
  intoStage: string;
  from: string;
  candidate: Holder;
  serving?: Holder;
  compare: CompareSummary;
}

async function promotionBody(o: PromotionPrOptions, state: RegistryState, b: BodyInput): Promise<string> {
  const { artifact } = o.config;
  const server = (o.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const repoUrl = `${server}/${o.owner}/${o.repo}`;
  const commitLink = (sha: string) => `[\`${sha.slice(0, 7)}\`](${repoUrl}/commit/${sha})`;
  const [candDigest, servDigest] = await Promise.all([
    imageDigestOf(o.octokit, o.owner, o.repo, state, artifact, b.candidate),
    b.serving ? imageDigestOf(o.octokit, o.owner, o.repo, state, artifact, b.serving) : Promise.resolve(undefined),
  ]);

  const sections: ReportSection[] = [];
  sections.push({
    id: 'summary',
    blocks: [
      { kind: 'text', text: `Merging this pull request promotes **${artifact} ${b.candidate.version}** from **${b.fromStage}** to **${b.intoStage}**.` },
      {
        kind: 'table',
        header: ['', 'Version', 'Commit', 'Image digest'],
        rows: [
          [`in ${b.fromStage} (this PR)`, b.candidate.version, commitLink(b.candidate.commit), candDigest ? `\`${candDigest}\`` : '—'],
          [`serving in ${b.intoStage}`, b.serving?.version ?? '— (empty)', b.serving ? commitLink(b.serving.commit) : '—', servDigest ? `\`${servDigest}\`` : '—'],
        ],
      },
    ],
  });

  const env = o.config.environments[b.intoStage];
  const mode = env?.mode ?? (b.intoStage === 'production' ? 'pr' : 'direct');
  const does = [
    `assigns stage \`${b.intoStage}\` to ${artifact} ${b.candidate.version} (a new registry tag; promotion order is enforced: it must hold \`${b.fromStage}\`)`,
    candDigest
      ? `re-tags the image digest \`${candDigest}\` with ${b.candidate.version} and ${b.intoStage} — the same bytes that ran in ${b.fromStage}, no rebuild`
      : `re-tags the image built for ${b.candidate.version} (no rebuild)`,
    env
      ? `bumps environment \`${b.intoStage}\` in ${env.repo ?? `${o.owner}/${o.repo}`} \`${env.path}\` ${mode === 'pr' ? 'through a pull request for review' : 'with a direct commit'}`
      : `no GitOps environment is configured for \`${b.intoStage}\` in mlops.yml`,
  ];
  const next = nextStage(o.config, b.intoStage);
  if (next) does.push(`then opens the promotion PR to \`${next}\``);
  sections.push({ id: 'merge', title: 'What merging does', blocks: [{ kind: 'list', items: does }] });

  const pulls = b.compare.pulls.map((n) => `#${n}`);
  const listed = b.compare.commits.slice(-LISTED_COMMITS).reverse();
  const more = b.compare.total - listed.length;
  const changeBlocks: ReportSection['blocks'] = [
    { kind: 'text', text: `[${b.compare.total} commit${b.compare.total === 1 ? '' : 's'}](${repoUrl}/compare/${o.into}...${b.from}) from \`${b.from}\` not yet in \`${o.into}\`${pulls.length ? `, from ${pulls.length} pull request${pulls.length === 1 ? '' : 's'}: ${pulls.join(', ')}` : ''}.` },
    {
      kind: 'table',
      header: ['Commit', 'Title', 'Author'],
      rows: listed.map((c) => [commitLink(c.sha), c.title.slice(0, 120), c.author ?? '']),
      foldAbove: 10,
    },
  ];
  if (more > 0) changeBlocks.push({ kind: 'text', text: `… and ${more} older commit${more === 1 ? '' : 's'} (see the compare view).` });
  sections.push({ id: 'changes', title: 'Changes', blocks: changeBlocks });

  const sources = { metrics: o.config.metrics, params: o.config.params };
  const head = await readRevisionSnapshot(o.cwd, b.candidate.commit, { ...sources, label: b.candidate.version, logger: o.logger });
  const servingSnap = b.serving
    ? await readRevisionSnapshot(o.cwd, b.serving.commit, { ...sources, label: b.serving.version, logger: o.logger })
    : { reason: `nothing serves in ${b.intoStage} yet` };
  const extraSections: ReportSection[] = [];
  if (o.plots && head.snapshot) {
    const plots = await buildPlotsSection({
      cwd: o.cwd,
      config: o.config,
      revs: [
        ...(b.serving && servingSnap.snapshot ? [{ name: `${b.intoStage} ${b.serving.version}`, ref: b.serving.commit }] : []),
        { name: b.candidate.version, ref: b.candidate.commit },
      ],
      host: o.plotHost,
      noHostReason: o.plotHost ? undefined : 'Plot images are not hosted for promotion PRs in this run; showing GitHub-native charts.',
      logger: o.logger,
    });
    if (plots.section) extraSections.push(plots.section);
  }
  const emptySnapshot: Snapshot = { label: b.candidate.version, metrics: [], params: [] };
  const metrics = buildReport({
    title: 'metrics',
    head: head.snapshot ?? emptySnapshot,
    headLabel: b.candidate.version,
    baselines: [
      {
        id: 'serving',
        title: `Metrics: ${b.candidate.version} vs ${b.serving ? `${b.serving.version} serving in ${b.intoStage}` : `${b.intoStage} (empty)`}`,
        label: b.serving ? `${b.intoStage} ${b.serving.version}` : b.intoStage,
        snapshot: servingSnap.snapshot,
        reason: servingSnap.reason,
      },
    ],
    extraSections,
  });
  if (!head.snapshot) sections.push({ id: 'metrics', title: 'Metrics', blocks: [{ kind: 'text', text: `Metrics of ${b.candidate.version} not available: ${head.reason}.` }] });
  else sections.push(...metrics.sections.filter((s) => s.id !== 'footer'));

  const footer = [`Opened by mlops-actions${o.runUrl ? ` in [this run](${o.runUrl})` : ''}; updated in place when a newer version reaches \`${b.fromStage}\`, closed when it is rolled back or superseded.`];
  sections.push({ id: 'footer', blocks: [{ kind: 'text', text: `<sub>${footer.join(' ')}</sub>` }] });

  const markdown = renderMarkdown({ title: promotionTitle(artifact, b.candidate.version, b.intoStage), sections });
  return truncateBody(`${PROMOTION_MARKER}\n${markdown}`, MAX_COMMENT_CHARS, o.runUrl).body;
}
