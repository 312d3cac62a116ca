/**
 * Bump one environment: edit its GitOps file through a backend, directly on the environment's branch
 * or on `bump/<env>/<app>` with a pull request, and say what changed. Re-running with the same image
 * changes nothing and commits nothing.
 */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { GitopsBackend } from './backend.js';
import { editImage } from './edit.js';
import type { EditOptions, GitopsFormat, ImageUpdate } from './types.js';

/** Opens or updates the PR of a bump branch; absent for backends without pull requests (local git). */
export interface PullRequests {
  findOpen(head: string, base: string): Promise<{ url: string } | undefined>;
  openOrUpdate(head: string, base: string, title: string, body: string): Promise<{ url: string; created: boolean }>;
}

export interface BumpOptions {
  env: string;
  /** Label for the branch name and messages; default: the image's last path component. */
  app?: string;
  path: string;
  format: GitopsFormat;
  update: ImageUpdate;
  edit?: EditOptions;
  mode: 'direct' | 'pr';
  /** Branch the environment deploys from; default: the repository's default branch. */
  branch?: string;
  /** Shown in messages and the PR body. */
  version?: string;
  runUrl?: string;
  /** Where the image comes from (this repository and commit), for the PR body. */
  source?: string;
}

export interface BumpResult {
  changed: boolean;
  /** New commit (changed) or the branch head (unchanged). */
  commit?: string;
  branch: string;
  base: string;
  from?: string;
  to: string;
  prUrl?: string;
  prCreated?: boolean;
  attempts: number;
}

/** `bump/<env>/<app>`, with characters git refuses in a branch name replaced. */
export function bumpBranch(env: string, app: string): string {
  const clean = (s: string) =>
    s
      .replace(/[\s~^:?*[\\\]@{}]+/g, '-')
      .replace(/\.\.+/g, '.')
      .replace(/^[-./]+|[-./]+$/g, '')
      .replace(/\.lock(\/|$)/g, '-lock$1') || 'app';
  return `bump/${clean(env)}/${clean(app)}`;
}

export function defaultApp(u: ImageUpdate): string {
  return (u.newName ?? u.name).split('/').pop()!;
}

export async function bumpEnvironment(backend: GitopsBackend, o: BumpOptions, prs?: PullRequests, log: Logger = silentLogger): Promise<BumpResult> {
  const app = o.app ?? defaultApp(o.update);
  const base = o.branch ?? (await backend.defaultBranch());
  const branch = o.mode === 'pr' ? bumpBranch(o.env, app) : base;
  let from: string | undefined;
  let to = '';
  const apply = (current: string | undefined) => {
    const r = editImage(o.format, current, o.path, o.update, o.edit);
    from = r.from;
    to = r.to;
    if (!r.changed) return null;
    return { content: r.content, message: commitMessage(o, app, r.from, r.to) };
  };

  if (o.mode === 'direct') {
    const res = await backend.commitFile({ branch, path: o.path, apply });
    log.info(res.changed ? `${o.env}: ${o.path} in ${backend.where}@${branch} now ${to} (commit ${res.commit})` : `${o.env}: ${o.path} already ${to}; nothing to commit`);
    return { changed: res.changed, commit: res.commit, branch, base, from, to, attempts: res.attempts };
  }

  const open = prs ? await prs.findOpen(branch, base) : undefined;
  // A bump branch without an open PR is left from a merged or closed one: start again from the base.
  if (prs && !open && (await backend.headOf(branch))) {
    log.info(`${branch} has no open pull request; resetting it to ${base}`);
    await backend.resetBranch(branch, base);
  }
  const res = await backend.commitFile({ branch, path: o.path, apply, startFrom: base });
  // The PR says what runs now (the base), not what an earlier bump put on the PR branch.
  if (res.changed && open) {
    const baseText = await backend.readFile(base, o.path);
    try {
      if (baseText !== undefined) from = editImage(o.format, baseText, o.path, o.update, { ...o.edit, create: true }).from;
    } catch {
      // A base file the editor cannot read just keeps the PR branch's "from".
    }
  }
  let prUrl = open?.url;
  let prCreated = false;
  // Unchanged: the open PR (if any) already says this; its body is left as written.
  if (prs && res.changed) {
    const pr = await prs.openOrUpdate(branch, base, prTitle(o, app, to), prBody(o, app, from, to));
    prUrl = pr.url;
    prCreated = pr.created;
  }
  log.info(
    res.changed
      ? `${o.env}: ${to} committed to ${branch}${prUrl ? ` (${prCreated ? 'opened' : 'updated'} ${prUrl})` : `; open a pull request into ${base}`}`
      : `${o.env}: ${o.path} already ${to} on ${branch}; nothing to commit`,
  );
  return { changed: res.changed, commit: res.commit, branch, base, from, to, prUrl, prCreated, attempts: res.attempts };
}

function label(o: BumpOptions, to: string): string {
  return o.version ?? o.update.tag ?? to;
}

export function commitMessage(o: BumpOptions, app: string, from: string | undefined, to: string): string {
  const lines = [`deploy(${o.env}): ${app} ${label(o, to)}`, '', `${o.path}: ${from ?? '(new entry)'} -> ${to}`];
  if (o.version) lines.push(`version: ${o.version}`);
  if (o.update.digest) lines.push(`digest: ${o.update.digest}`);
  if (o.runUrl) lines.push(`run: ${o.runUrl}`);
  return lines.join('\n') + '\n';
}

export function prTitle(o: BumpOptions, app: string, to: string): string {
  return `Deploy ${app} ${label(o, to)} to ${o.env}`;
}

export function prBody(o: BumpOptions, app: string, from: string | undefined, to: string): string {
  const rows = [
    ['environment', `\`${o.env}\``],
    ['file', `\`${o.path}\` (${o.format})`],
    ['from', from ? `\`${from}\`` : '(new entry)'],
    ['to', `\`${to}\``],
    ...(o.version ? [['version', `\`${o.version}\``]] : []),
    ...(o.update.digest ? [['digest', `\`${o.update.digest}\``]] : []),
    ...(o.source ? [['source', o.source]] : []),
    ...(o.runUrl ? [['run', o.runUrl]] : []),
  ];
  return [
    `Deploys **${app}** ${label(o, to)} to **${o.env}**. Merging this pull request lets Argo CD / Flux roll it out.`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '<!-- mlops-actions:bump-env-tag -->',
    '',
  ].join('\n');
}
