/**
 * One sticky comment per PR and report id, found by a hidden marker on its first line
 * (`<!-- mlops-actions:report:<id> -->`) over ALL pages of the PR's comments. CML only looks at the
 * first page and so duplicates its comment on busy PRs; we never do.
 *
 * Cost: the list pages + 1 write when the comment exists (0 writes when the body is unchanged).
 * Two runs racing on a PR with no comment yet can both create one. After creating, we re-list: the
 * oldest marker comment (lowest id) wins, and a run whose own comment is not the oldest moves its body
 * to the oldest and deletes its own. Ids grow with creation time, so every loser sees the winner and
 * exactly one comment remains, whatever the interleaving.
 */
import type { Logger } from '../log.js';
import { apiError, httpStatus } from './errors.js';
import type { Octokit } from './octokit.js';

/** GitHub rejects issue comment bodies longer than this (in characters). */
export const MAX_COMMENT_CHARS = 65_536;

export function commentMarker(id: string): string {
  return `<!-- mlops-actions:report:${id} -->`;
}

export interface StickyOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Report id: several reports can live on one PR, one comment each. */
  id: string;
  body: string;
  logger?: Logger;
  /** Where the full report can be read when the body has to be truncated (run URL). */
  fullReportUrl?: string;
}

export interface StickyResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
  /** Body as posted (marker included, possibly truncated). */
  body: string;
  truncated: boolean;
}

interface CommentLike {
  id: number;
  body?: string | null;
  html_url: string;
}

/**
 * Cut a body to GitHub's limit at a line boundary, close an open code fence or <details>, and say so.
 * Length is counted in UTF-16 units, which is never less than GitHub's character count.
 */
export function truncateBody(
  body: string,
  limit = MAX_COMMENT_CHARS,
  fullReportUrl?: string,
  /** What is being cut and where the whole text is, for the note. */
  what: { kind: string; fullAt?: string } = { kind: 'comment' },
): { body: string; truncated: boolean } {
  if (body.length <= limit) return { body, truncated: false };
  const where = what.fullAt ?? (fullReportUrl ? `[the job summary of the run](${fullReportUrl})` : 'the job summary of the run');
  const note = `\n\n> [!NOTE]\n> This report was truncated to fit GitHub's ${limit.toLocaleString('en-US')}-character ${what.kind} limit (full length ${body.length.toLocaleString('en-US')} characters). The full report is in ${where}.\n`;
  const room = limit - note.length - 64;
  let cut = body.slice(0, room);
  const nl = cut.lastIndexOf('\n');
  if (nl > room / 2) cut = cut.slice(0, nl);
  // Avoid a lone high surrogate at the cut.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  let closing = '';
  const fences = (cut.match(/^\s*(```|~~~)/gm) ?? []).length;
  if (fences % 2 === 1) closing += '\n```';
  const opened = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < opened; i++) closing += '\n</details>';
  return { body: `${cut}${closing}${note}`, truncated: true };
}

function isOurs(c: CommentLike, marker: string): boolean {
  return (c.body ?? '').trimStart().startsWith(marker);
}

async function listOurs(octokit: Octokit, o: StickyOptions, marker: string): Promise<CommentLike[]> {
  try {
    const all = (await octokit.paginate(octokit.rest.issues.listComments, {
      owner: o.owner,
      repo: o.repo,
      issue_number: o.issueNumber,
      per_page: 100,
    })) as CommentLike[];
    return all.filter((c) => isOurs(c, marker)).sort((a, b) => a.id - b.id);
  } catch (e) {
    throw apiError(e, `list comments of #${o.issueNumber}`, { permission: 'pull-requests: read' });
  }
}

/** Create or update the sticky comment; see the module comment for the race protocol. */
export async function upsertStickyComment(octokit: Octokit, o: StickyOptions): Promise<StickyResult> {
  const marker = commentMarker(o.id);
  const { body: text, truncated } = truncateBody(`${marker}\n${o.body}`, MAX_COMMENT_CHARS, o.fullReportUrl);
  if (truncated) o.logger?.warning(`Report for #${o.issueNumber} is longer than ${MAX_COMMENT_CHARS} characters: the comment was truncated`);
  const { owner, repo } = o;
  const write = 'pull-requests: write (or issues: write)';

  const update = async (c: CommentLike): Promise<CommentLike> => {
    try {
      return (await octokit.rest.issues.updateComment({ owner, repo, comment_id: c.id, body: text })).data as CommentLike;
    } catch (e) {
      throw apiError(e, `update comment ${c.id} on #${o.issueNumber}`, { permission: write });
    }
  };
  const remove = async (c: CommentLike) => {
    try {
      await octokit.rest.issues.deleteComment({ owner, repo, comment_id: c.id });
    } catch (e) {
      // Someone else already removed it: the goal (no duplicate) is met.
      if (httpStatus(e) !== 404) throw apiError(e, `delete duplicate comment ${c.id} on #${o.issueNumber}`, { permission: write });
    }
  };

  const existing = await listOurs(octokit, o, marker);
  if (existing.length > 0) {
    const [keep, ...dupes] = existing as [CommentLike, ...CommentLike[]];
    // Duplicates left by an older tool or an interrupted run: clean them up now.
    for (const d of dupes) await remove(d);
    if (keep.body === text) {
      o.logger?.info(`Comment ${keep.html_url} is already up to date`);
      return { action: 'unchanged', id: keep.id, url: keep.html_url, body: text, truncated };
    }
    const updated = await update(keep);
    o.logger?.info(`Updated comment ${updated.html_url}`);
    return { action: 'updated', id: updated.id, url: updated.html_url, body: text, truncated };
  }

  let created: CommentLike;
  try {
    created = (await octokit.rest.issues.createComment({ owner, repo, issue_number: o.issueNumber, body: text })).data as CommentLike;
  } catch (e) {
    throw apiError(e, `comment on #${o.issueNumber}`, { permission: write });
  }
  const after = await listOurs(octokit, o, marker);
  const oldest = after[0];
  if (oldest && oldest.id < created.id) {
    // Another run created its comment first: ours goes, our (newer) body goes into theirs.
    o.logger?.info(`Another run created the report comment first (${oldest.html_url}); keeping that one`);
    await remove(created);
    const updated = await update(oldest);
    return { action: 'updated', id: updated.id, url: updated.html_url, body: text, truncated };
  }
  o.logger?.info(`Created comment ${created.html_url}`);
  return { action: 'created', id: created.id, url: created.html_url, body: text, truncated };
}
