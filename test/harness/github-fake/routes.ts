/**
 * Handlers by operationId. Response bodies carry the fields GitHub documents for each operation (with
 * the URLs pointing at the fake); errors use GitHub's status codes and messages.
 */
import { ZERO_SHA } from './git.js';
import { HttpError, notFound, validationFailed, type Reply } from './http.js';
import { addEvent, createPullRecord, identityOf, labelIssue, refreshPull, type RepoLookup } from './ops.js';
import {
  newId,
  now,
  type CheckRunRec,
  type CommentRec,
  type DeploymentRec,
  type DeploymentStatusRec,
  type IssueRec,
  type RepoRec,
  type Scope,
  type StatusRec,
  type TokenInfo,
  type User,
} from './state.js';

export interface TeamRec {
  id: number;
  org: string;
  slug: string;
  name: string;
}

export interface FakeView extends RepoLookup {
  url: string;
  serverUrl: string;
  /** Known accounts by lower-case login (GET /users/{username} answers 404 for others). */
  users: Map<string, User>;
  /** Teams by `org/slug`, lower-case. */
  teams: Map<string, TeamRec>;
}

export interface Ctx {
  fake: FakeView;
  method: string;
  /** Decoded path. */
  path: string;
  /** Path as requested (percent-encoding kept), for Link headers. */
  rawPath: string;
  query: Record<string, string>;
  params: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
  token: TokenInfo;
  repo: RepoRec;
  operationId: string;
}

type Handler = (c: Ctx) => Promise<Reply> | Reply;

/** Which token permission an operation needs (read for GET, write otherwise). */
export function scopeOf(operationId: string): Scope {
  if (operationId === 'pulls/merge') return 'contents';
  if (operationId.startsWith('git/')) return 'contents';
  if (operationId.startsWith('issues/')) return 'issues';
  if (operationId.startsWith('pulls/')) return 'pull_requests';
  if (operationId.startsWith('checks/')) return 'checks';
  if (/commit-status|combined-status/.test(operationId)) return 'statuses';
  if (/environment|protection|ruleset|branch-polic/.test(operationId)) return 'administration';
  if (operationId.includes('deployment')) return 'deployments';
  if (operationId === 'repos/list-tags') return 'contents';
  if (operationId.startsWith('users/') || operationId.startsWith('teams/')) return 'metadata';
  if (/content|file|commit|compare|branch/.test(operationId)) return 'contents';
  return 'metadata';
}

// ---- shapes ------------------------------------------------------------------------------------

const api = (c: Ctx) => c.fake.url;
const repoApi = (c: Ctx, r: RepoRec = c.repo) => `${c.fake.url}/repos/${r.fullName}`;
const repoHtml = (c: Ctx, r: RepoRec = c.repo) => `${c.fake.serverUrl}/${r.fullName}`;
const nodeId = (kind: string, id: number | string) => Buffer.from(`${kind}_${id}`).toString('base64').replace(/=+$/, '');

function userJson(c: Ctx, u: User) {
  const base = `${api(c)}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId('U', u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: u.type === 'Bot' ? `${c.fake.serverUrl}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${c.fake.serverUrl}/${u.login}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

const ownerUser = (c: Ctx, r: RepoRec): User => c.fake.users.get(r.owner.toLowerCase()) ?? { login: r.owner, id: 9919, type: 'User' };

function repoJson(c: Ctx, r: RepoRec = c.repo) {
  const url = repoApi(c, r);
  const perms = c.token.permissions;
  return {
    id: r.id,
    node_id: nodeId('R', r.id),
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    visibility: r.private ? 'private' : 'public',
    owner: userJson(c, ownerUser(c, r)),
    html_url: repoHtml(c, r),
    description: null,
    fork: false,
    url,
    archived: false,
    disabled: false,
    default_branch: r.defaultBranch,
    git_url: `git://github.com/${r.fullName}.git`,
    ssh_url: `git@github.com:${r.fullName}.git`,
    clone_url: `${repoHtml(c, r)}.git`,
    pulls_url: `${url}/pulls{/number}`,
    issues_url: `${url}/issues{/number}`,
    created_at: r.created_at,
    updated_at: r.created_at,
    pushed_at: r.created_at,
    permissions: {
      admin: perms.administration === 'write',
      maintain: perms.administration === 'write',
      push: perms.contents === 'write',
      triage: perms.issues === 'write' || perms.pull_requests === 'write',
      pull: true,
    },
  };
}

function labelJson(c: Ctx, name: string) {
  const l = c.repo.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed', description: null };
  return { id: l.id, node_id: nodeId('LA', l.id), url: `${repoApi(c)}/labels/${encodeURIComponent(l.name)}`, name: l.name, color: l.color, default: false, description: l.description };
}

const reactions = (url: string) => ({ url: `${url}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 });

function issueJson(c: Ctx, i: IssueRec) {
  const url = `${repoApi(c)}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: nodeId('I', i.id),
    url,
    repository_url: repoApi(c),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${repoHtml(c)}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: userJson(c, i.user),
    labels: i.labels.map((l) => labelJson(c, l)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: c.repo.comments.filter((x) => x.issue === i.number).length,
    ...(i.pull
      ? {
          pull_request: {
            url: `${repoApi(c)}/pulls/${i.number}`,
            html_url: `${repoHtml(c)}/pull/${i.number}`,
            diff_url: `${repoHtml(c)}/pull/${i.number}.diff`,
            patch_url: `${repoHtml(c)}/pull/${i.number}.patch`,
            merged_at: i.pull.merged_at,
          },
          draft: i.pull.draft,
        }
      : {}),
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_by: null,
    author_association: 'MEMBER',
    reactions: reactions(url),
  };
}

function commentJson(c: Ctx, x: CommentRec) {
  const issue = c.repo.issues.get(x.issue);
  const url = `${repoApi(c)}/issues/comments/${x.id}`;
  return {
    id: x.id,
    node_id: nodeId('IC', x.id),
    url,
    html_url: `${repoHtml(c)}/${issue?.pull ? 'pull' : 'issues'}/${x.issue}#issuecomment-${x.id}`,
    body: x.body,
    user: userJson(c, x.user),
    created_at: x.created_at,
    updated_at: x.updated_at,
    issue_url: `${repoApi(c)}/issues/${x.issue}`,
    author_association: x.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
    reactions: reactions(url),
  };
}

function branchEnd(c: Ctx, i: IssueRec, which: 'head' | 'base') {
  const pr = i.pull!;
  const repo = which === 'head' ? (c.fake.repos.get(pr.headRepo.toLowerCase()) ?? c.repo) : c.repo;
  const ref = which === 'head' ? pr.headRef : pr.baseRef;
  return { label: `${repo.owner}:${ref}`, ref, sha: which === 'head' ? pr.headSha : pr.baseSha, user: userJson(c, ownerUser(c, repo)), repo: repoJson(c, repo) };
}

function pullJson(c: Ctx, i: IssueRec) {
  const pr = i.pull!;
  const url = `${repoApi(c)}/pulls/${i.number}`;
  const html = `${repoHtml(c)}/pull/${i.number}`;
  const issueUrl = `${repoApi(c)}/issues/${i.number}`;
  return {
    url,
    id: i.id,
    node_id: nodeId('PR', i.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoApi(c)}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${repoApi(c)}/statuses/${pr.headSha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: userJson(c, i.user),
    body: i.body,
    labels: i.labels.map((l) => labelJson(c, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: pr.merged_at,
    merge_commit_sha: pr.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchEnd(c, i, 'head'),
    base: branchEnd(c, i, 'base'),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoApi(c)}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${repoApi(c)}/statuses/${pr.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: pr.merged ? null : true,
    rebaseable: pr.merged ? null : true,
    mergeable_state: pr.merged ? 'unknown' : 'clean',
    merged_by: pr.merged_by ? userJson(c, pr.merged_by) : null,
    comments: c.repo.comments.filter((x) => x.issue === i.number).length,
    review_comments: 0,
    maintainer_can_modify: pr.maintainer_can_modify,
    commits: 0,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** The simple (list) form of a PR: the full form without the counters. */
function pullSimple(c: Ctx, i: IssueRec) {
  const {
    merged: _m,
    mergeable: _a,
    rebaseable: _b,
    mergeable_state: _s,
    merged_by: _mb,
    comments: _c,
    review_comments: _rc,
    maintainer_can_modify: _mcm,
    commits: _co,
    additions: _ad,
    deletions: _de,
    changed_files: _cf,
    ...rest
  } = pullJson(c, i);
  return rest;
}

function statusJson(c: Ctx, s: StatusRec) {
  return {
    url: `${repoApi(c)}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId('SC', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.updated_at,
    creator: userJson(c, s.creator),
  };
}

function checkRunJson(c: Ctx, r: CheckRunRec) {
  const url = `${repoApi(c)}/check-runs/${r.id}`;
  return {
    id: r.id,
    head_sha: r.head_sha,
    node_id: nodeId('CR', r.id),
    external_id: r.external_id,
    url,
    html_url: `${repoHtml(c)}/runs/${r.id}`,
    details_url: r.details_url,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    output: { title: r.output.title, summary: r.output.summary, text: r.output.text, annotations_count: r.output.annotations.length, annotations_url: `${url}/annotations` },
    name: r.name,
    check_suite: { id: 1 },
    app: null,
    pull_requests: [],
  };
}

function deploymentJson(c: Ctx, d: DeploymentRec) {
  const url = `${repoApi(c)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(c, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: repoApi(c),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  };
}

function deploymentStatusJson(c: Ctx, d: DeploymentRec, s: DeploymentStatusRec) {
  const url = `${repoApi(c)}/deployments/${d.id}`;
  return {
    url: `${url}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DES', s.id),
    state: s.state,
    creator: userJson(c, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: url,
    repository_url: repoApi(c),
    environment_url: s.environment_url,
    log_url: s.log_url,
  };
}

const unsigned = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

async function gitCommitJson(c: Ctx, sha: string) {
  const commit = await c.repo.git.readCommit(sha);
  if (!commit) throw notFound();
  return {
    sha: commit.sha,
    node_id: nodeId('C', commit.sha),
    url: `${repoApi(c)}/git/commits/${commit.sha}`,
    html_url: `${repoHtml(c)}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.tree, url: `${repoApi(c)}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({ sha: p, url: `${repoApi(c)}/git/commits/${p}`, html_url: `${repoHtml(c)}/commit/${p}` })),
    verification: unsigned,
  };
}

/** The REST form (repos/get-commit, compare, list commits). */
async function restCommitJson(c: Ctx, sha: string, withFiles: boolean) {
  const g = await gitCommitJson(c, sha);
  const files = withFiles ? await filesJson(c, g.parents[0]?.sha, g.sha) : undefined;
  return {
    url: `${repoApi(c)}/commits/${g.sha}`,
    sha: g.sha,
    node_id: g.node_id,
    html_url: g.html_url,
    comments_url: `${repoApi(c)}/commits/${g.sha}/comments`,
    commit: {
      url: g.url,
      author: g.author,
      committer: g.committer,
      message: g.message,
      comment_count: 0,
      tree: g.tree,
      verification: unsigned,
    },
    author: null,
    committer: null,
    parents: g.parents.map((p) => ({ sha: p.sha, url: `${repoApi(c)}/commits/${p.sha}`, html_url: p.html_url })),
    ...(files
      ? {
          stats: {
            total: files.reduce((n, f) => n + f.changes, 0),
            additions: files.reduce((n, f) => n + f.additions, 0),
            deletions: files.reduce((n, f) => n + f.deletions, 0),
          },
          files,
        }
      : {}),
  };
}

async function filesJson(c: Ctx, from: string | undefined, to: string) {
  const files = await c.repo.git.diffFiles(from, to);
  return files.map((f) => ({
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${repoHtml(c)}/blob/${to}/${f.filename}`,
    raw_url: `${repoHtml(c)}/raw/${to}/${f.filename}`,
    contents_url: `${repoApi(c)}/contents/${f.filename}?ref=${to}`,
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  }));
}

function refJson(c: Ctx, r: { ref: string; sha: string; type: string }) {
  const kind = r.type === 'tag' ? 'tags' : r.type === 'tree' ? 'trees' : r.type === 'blob' ? 'blobs' : 'commits';
  return {
    ref: r.ref,
    node_id: nodeId('REF', r.ref),
    url: `${repoApi(c)}/git/${r.ref}`,
    object: { type: r.type, sha: r.sha, url: `${repoApi(c)}/git/${kind}/${r.sha}` },
  };
}

/** Base64 wrapped at 60 columns with a trailing newline, as GitHub returns blob/contents bodies. */
function wrapped64(buf: Buffer): string {
  const b64 = buf.toString('base64');
  return b64.replace(/(.{60})/g, '$1\n') + (b64.length % 60 === 0 && b64.length > 0 ? '' : '\n');
}

// ---- pagination --------------------------------------------------------------------------------

/** Slice a list as GitHub does (per_page default 30, max 100; page from 1) with the Link header. */
function paginate<T>(c: Ctx, items: T[], map: (x: T) => unknown = (x) => x, wrap?: (slice: unknown[], total: number) => unknown): Reply {
  const perRaw = Number(c.query.per_page);
  const per = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(100, perRaw) : 30;
  const pageRaw = Number(c.query.page);
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const last = Math.max(1, Math.ceil(items.length / per));
  const slice = items.slice((page - 1) * per, page * per).map(map);
  const link = (p: number) => {
    const q = new URLSearchParams(c.query);
    q.set('page', String(p));
    return `<${c.fake.url}${c.rawPath}?${q.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`);
  return { status: 200, body: wrap ? wrap(slice, items.length) : slice, headers: links.length ? { link: links.join(', ') } : {} };
}

// ---- helpers -----------------------------------------------------------------------------------

function issueOf(c: Ctx, n = Number(c.params.issue_number ?? c.params.pull_number)): IssueRec {
  const i = c.repo.issues.get(n);
  if (!i) throw notFound();
  return i;
}

async function pullOf(c: Ctx): Promise<IssueRec> {
  const i = issueOf(c, Number(c.params.pull_number));
  if (!i.pull) throw notFound();
  await refreshPull(c.fake, c.repo, i);
  return i;
}

function commentOf(c: Ctx): CommentRec {
  const x = c.repo.comments.find((k) => k.id === Number(c.params.comment_id));
  if (!x) throw notFound();
  return x;
}

/** A branch, tag or SHA to a commit SHA; 422 "No commit found for SHA" like GitHub otherwise. */
async function commitOf(c: Ctx, rev: string, notFoundAs: 404 | 422 = 404): Promise<string> {
  const sha = await c.repo.git.resolve(rev);
  if (sha) return sha;
  if (notFoundAs === 422) throw new HttpError(422, `No commit found for SHA: ${rev}`);
  throw new HttpError(404, `No commit found for SHA: ${rev}`);
}

function author(c: Ctx, given: { name?: string; email?: string; date?: string } | undefined, fallback?: { name: string; email: string; date: string }) {
  const base = fallback ?? identityOf(c.token.user);
  return { name: given?.name ?? base.name, email: given?.email ?? base.email, date: given?.date ?? base.date };
}

const BODY_LIMIT = 65536;

function checkBody(resource: string, body: string | undefined | null): void {
  if (body && body.length > BODY_LIMIT) {
    throw validationFailed(resource, 'body', 'custom', `body is too long (maximum is ${BODY_LIMIT} characters)`);
  }
}

/** The `{ref}` of git/ref(s) is relative to refs/ (`heads/main`); GitHub does not strip a `refs/` prefix. */
/** git check-ref-format's rules, without starting a process. */
export function validRefName(ref: string): boolean {
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref === '@') return false;
  if (ref.endsWith('/') || ref.endsWith('.') || ref.includes('//')) return false;
  return ref.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

function fullRefName(ref: string): string {
  return `refs/${ref}`;
}

// ---- handlers ----------------------------------------------------------------------------------

export const handlers: Record<string, Handler> = {
  'repos/get': (c) => ({ status: 200, body: repoJson(c) }),

  // git data
  'git/create-blob': async (c) => {
    const content = Buffer.from(c.body.content, c.body.encoding === 'base64' ? 'base64' : 'utf8');
    const sha = await c.repo.git.writeBlob(content);
    return { status: 201, body: { url: `${repoApi(c)}/git/blobs/${sha}`, sha } };
  },
  'git/get-blob': async (c) => {
    const buf = await c.repo.git.readBlob(c.params.file_sha!);
    if (!buf) throw notFound();
    const sha = await c.repo.git.resolve(c.params.file_sha!, 'any');
    return {
      status: 200,
      body: { sha, node_id: nodeId('B', sha!), size: buf.length, url: `${repoApi(c)}/git/blobs/${sha}`, content: wrapped64(buf), encoding: 'base64' },
    };
  },
  'git/create-tree': async (c) => {
    const git = c.repo.git;
    let base: string | undefined;
    if (c.body.base_tree) {
      base = await git.resolve(c.body.base_tree, 'tree');
      if (!base) throw validationFailed('Tree', 'base_tree', 'invalid', 'base_tree is not a valid tree oid');
    }
    const changes = [];
    for (const e of c.body.tree as { path: string; mode: string; type: string; sha?: string | null; content?: string }[]) {
      if (e.sha !== undefined && e.content !== undefined) throw validationFailed('Tree', 'tree', 'custom', 'Must supply either tree.sha or tree.content, not both');
      if (e.content !== undefined) {
        changes.push({ path: e.path, mode: e.mode, type: 'blob', sha: await git.writeBlob(Buffer.from(e.content, 'utf8')) });
      } else if (e.sha === null) {
        changes.push({ path: e.path, mode: e.mode, type: e.type, sha: null });
      } else if (e.sha) {
        const t = await git.typeOf(e.sha);
        if (e.mode !== '160000' && t !== e.type) throw validationFailed('Tree', 'tree.sha', 'invalid', `tree.sha ${e.sha} is not a valid ${e.type}`);
        changes.push({ path: e.path, mode: e.mode, type: e.type, sha: e.sha });
      } else {
        throw validationFailed('Tree', 'tree', 'missing_field', 'Must supply a valid tree.sha or tree.content');
      }
    }
    const sha = await git.buildTree(base, changes);
    const entries = await git.lsTree(sha, false);
    return {
      status: 201,
      body: {
        sha,
        url: `${repoApi(c)}/git/trees/${sha}`,
        tree: entries.map((e) => ({ ...e, url: `${repoApi(c)}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` })),
        truncated: false,
      },
    };
  },
  'git/get-tree': async (c) => {
    const sha = await c.repo.git.resolve(c.params.tree_sha!, 'tree');
    if (!sha) throw notFound();
    const entries = await c.repo.git.lsTree(sha, c.query.recursive !== undefined);
    return {
      status: 200,
      body: {
        sha,
        url: `${repoApi(c)}/git/trees/${sha}`,
        tree: entries.map((e) => ({ ...e, url: e.type === 'commit' ? undefined : `${repoApi(c)}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` })),
        truncated: false,
      },
    };
  },
  'git/create-commit': async (c) => {
    const git = c.repo.git;
    if ((await git.typeOf(c.body.tree)) !== 'tree') throw validationFailed('Commit', 'tree', 'invalid', `Tree SHA does not exist`);
    const parents: string[] = c.body.parents ?? [];
    for (const p of parents) if ((await git.typeOf(p)) !== 'commit') throw validationFailed('Commit', 'parents', 'invalid', 'Parent SHA does not exist or is not a commit object');
    const a = author(c, c.body.author);
    const committer = author(c, c.body.committer, a);
    const full = (x: string) => (/^[0-9a-f]{40}$/.test(x) ? x : git.resolve(x, 'any') as Promise<string>);
    const sha = await git.commitTree(await full(c.body.tree), await Promise.all(parents.map(full)), c.body.message, a, committer);
    return { status: 201, body: await gitCommitJson(c, sha) };
  },
  'git/get-commit': async (c) => ({ status: 200, body: await gitCommitJson(c, c.params.commit_sha!) }),
  'git/create-tag': async (c) => {
    const git = c.repo.git;
    const t = await git.typeOf(c.body.object);
    if (!t) throw validationFailed('Tag', 'object', 'invalid', 'Object does not exist');
    if (t !== c.body.type) throw validationFailed('Tag', 'type', 'invalid', `type must match the object (${t})`);
    const object = /^[0-9a-f]{40}$/.test(c.body.object) ? c.body.object : ((await git.resolve(c.body.object, 'any')) as string);
    const sha = await git.mktag({ object, type: c.body.type, tag: c.body.tag, message: c.body.message, tagger: author(c, c.body.tagger) });
    return { status: 201, body: await tagJson(c, sha) };
  },
  'git/get-tag': async (c) => ({ status: 200, body: await tagJson(c, c.params.tag_sha!) }),
  'git/create-ref': async (c) => {
    const ref: string = c.body.ref;
    if (!/^refs\/[^/]+\/.+/.test(ref)) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    const t = await c.repo.git.typeOf(c.body.sha);
    if (!t || c.body.sha.length !== 40) throw new HttpError(422, 'Object does not exist');
    if (!validRefName(ref)) throw new HttpError(422, `${ref} is not a valid ref name.`);
    if (!(await c.repo.git.updateRef(ref, c.body.sha, ZERO_SHA))) throw new HttpError(422, 'Reference already exists');
    return { status: 201, body: refJson(c, { ref, sha: c.body.sha, type: t }), headers: { location: `${repoApi(c)}/git/${ref}` } };
  },
  'git/get-ref': async (c) => {
    const r = await c.repo.git.ref(fullRefName(c.params.ref!));
    if (!r) throw notFound();
    return { status: 200, body: refJson(c, r) };
  },
  'git/list-matching-refs': async (c) => {
    const prefix = fullRefName(c.params.ref!);
    const all = await c.repo.git.refs('refs/');
    return { status: 200, body: all.filter((r) => r.ref.startsWith(prefix)).map((r) => refJson(c, r)) };
  },
  'git/update-ref': async (c) => {
    const ref = fullRefName(c.params.ref!);
    const git = c.repo.git;
    const current = await git.ref(ref);
    if (!current) throw new HttpError(422, 'Reference does not exist');
    const sha: string = c.body.sha;
    const t = await git.typeOf(sha);
    if (!t || sha.length !== 40) throw new HttpError(422, 'Object does not exist');
    if (!c.body.force) {
      const ff = current.type === 'commit' && t === 'commit' && (await git.isAncestor(current.sha, sha));
      if (!ff) throw new HttpError(422, 'Update is not a fast forward');
    }
    // Compare-and-swap against what we read: a concurrent writer in between loses like on GitHub.
    if (!(await git.updateRef(ref, sha, current.sha))) throw new HttpError(422, c.body.force ? 'Reference cannot be updated' : 'Update is not a fast forward');
    return { status: 200, body: refJson(c, { ref, sha, type: t }) };
  },
  'git/delete-ref': async (c) => {
    const ref = fullRefName(c.params.ref!);
    const current = await c.repo.git.ref(ref);
    if (!current || !(await c.repo.git.deleteRef(ref, current.sha))) throw new HttpError(422, 'Reference does not exist');
    return { status: 204 };
  },

  // contents, commits, branches
  'repos/get-content': async (c) => {
    const git = c.repo.git;
    const ref = c.query.ref || c.repo.defaultBranch;
    const commit = await git.resolve(ref);
    if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = c.params.path!.replace(/^\/+|\/+$/g, '');
    const entries = await git.lsTree(commit, true);
    const file = entries.find((e) => e.path === path);
    if (file && file.type === 'blob') {
      const buf = (await git.readBlob(file.sha))!;
      return { status: 200, body: { ...contentEntry(c, file.path, file.sha, 'file', buf.length, ref), content: wrapped64(buf), encoding: 'base64' } };
    }
    const dir = path === '' || (file && file.type === 'tree');
    if (!dir) throw notFound();
    const prefix = path ? `${path}/` : '';
    const children = entries.filter((e) => e.path.startsWith(prefix) && !e.path.slice(prefix.length).includes('/'));
    return {
      status: 200,
      body: children.map((e) => contentEntry(c, e.path, e.sha, e.type === 'tree' ? 'dir' : e.type === 'commit' ? 'submodule' : 'file', e.size ?? 0, ref)),
    };
  },
  'repos/create-or-update-file-contents': async (c) => {
    const git = c.repo.git;
    const branch: string = c.body.branch ?? c.repo.defaultBranch;
    const ref = `refs/heads/${branch}`;
    const head = await git.resolve(ref);
    if (!head && c.body.branch && branch !== c.repo.defaultBranch) throw new HttpError(404, `Branch ${branch} not found`);
    const path = c.params.path!.replace(/^\/+|\/+$/g, '');
    const existing = head ? (await git.lsTree(head, true)).find((e) => e.path === path && e.type === 'blob') : undefined;
    if (existing && !c.body.sha) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (c.body.sha && existing?.sha !== c.body.sha) throw new HttpError(409, `${path} does not match ${c.body.sha}`);
    const blob = await git.writeBlob(Buffer.from(c.body.content, 'base64'));
    const tree = await git.buildTree(head ? await git.resolve(head, 'tree') : undefined, [{ path, mode: '100644', type: 'blob', sha: blob }]);
    const a = author(c, c.body.author);
    const commit = await git.commitTree(tree, head ? [head] : [], c.body.message, a, author(c, c.body.committer, a));
    if (!(await git.updateRef(ref, commit, head ?? ZERO_SHA))) throw new HttpError(409, `is at ${await git.resolve(ref)} but expected ${head}`);
    const size = Buffer.from(c.body.content, 'base64').length;
    return {
      status: existing ? 200 : 201,
      body: { content: contentEntry(c, path, blob, 'file', size, branch), commit: await gitCommitJson(c, commit) },
    };
  },
  'repos/get-commit': async (c) => ({ status: 200, body: await restCommitJson(c, await commitOf(c, c.params.ref!, 422), true) }),
  'repos/list-commits': async (c) => {
    const head = await commitOf(c, c.query.sha || c.repo.defaultBranch);
    const shas = (await c.repo.git.revList(undefined, head)).reverse();
    const all = await Promise.all(shas.map((s) => restCommitJson(c, s, false)));
    return paginate(c, all);
  },
  'repos/compare-commits-with-basehead': async (c) => {
    const m = /^(.+?)\.\.\.(.+)$/.exec(c.params.basehead!);
    if (!m) throw notFound();
    const base = await commitOf(c, m[1]!);
    const head = await commitOf(c, m[2]!);
    const git = c.repo.git;
    const mergeBase = await git.mergeBase(base, head);
    const ahead = await git.revList(base, head);
    const behind = await git.revList(head, base);
    const status = ahead.length === 0 && behind.length === 0 ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
    const commits = await Promise.all(ahead.map((s) => restCommitJson(c, s, false)));
    const res = paginate(c, commits);
    const files = await filesJson(c, mergeBase ?? base, head);
    return {
      ...res,
      body: {
        url: `${repoApi(c)}/compare/${c.params.basehead}`,
        html_url: `${repoHtml(c)}/compare/${c.params.basehead}`,
        permalink_url: `${repoHtml(c)}/compare/${base}...${head}`,
        diff_url: `${repoHtml(c)}/compare/${c.params.basehead}.diff`,
        patch_url: `${repoHtml(c)}/compare/${c.params.basehead}.patch`,
        base_commit: await restCommitJson(c, base, false),
        merge_base_commit: await restCommitJson(c, mergeBase ?? base, false),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: res.body,
        files,
      },
    };
  },
  'repos/list-pull-requests-associated-with-commit': async (c) => {
    const sha = await commitOf(c, c.params.commit_sha!, 422);
    const out: IssueRec[] = [];
    for (const i of [...c.repo.issues.values()].reverse()) {
      if (!i.pull) continue;
      await refreshPull(c.fake, c.repo, i);
      if (i.pull.merge_commit_sha === sha || i.pull.headSha === sha || (await c.repo.git.revList(i.pull.baseSha, i.pull.headSha)).includes(sha)) out.push(i);
    }
    return paginate(c, out, (i) => pullSimple(c, i));
  },
  'repos/get-branch': async (c) => branchReply(c, c.params.branch!),
  'repos/list-branches': async (c) => {
    const heads = await c.repo.git.refs('refs/heads/');
    return paginate(c, heads, (r) => ({
      name: r.ref.slice('refs/heads/'.length),
      commit: { sha: r.sha, url: `${repoApi(c)}/commits/${r.sha}` },
      protected: c.repo.protections.has(r.ref.slice('refs/heads/'.length)),
    }));
  },

  // issues, comments, labels, events
  'issues/create': async (c) => {
    const i: IssueRec = {
      id: newId(),
      number: c.repo.nextNumber++,
      title: String(c.body.title),
      body: c.body.body ?? null,
      state: 'open',
      state_reason: null,
      user: c.token.user,
      labels: [],
      created_at: now(),
      updated_at: now(),
      closed_at: null,
    };
    checkBody('Issue', i.body);
    c.repo.issues.set(i.number, i);
    if (c.body.labels) labelIssue(c.repo, i.number, c.body.labels.map((l: string | { name: string }) => (typeof l === 'string' ? l : l.name)), c.token.user);
    return { status: 201, body: issueJson(c, i) };
  },
  'issues/get': (c) => ({ status: 200, body: issueJson(c, issueOf(c)) }),
  'issues/update': (c) => {
    const i = issueOf(c);
    if (c.body.title !== undefined) i.title = c.body.title;
    if (c.body.body !== undefined) i.body = c.body.body;
    if (c.body.state) setState(c, i, c.body.state);
    i.updated_at = now();
    return { status: 200, body: issueJson(c, i) };
  },
  'issues/list-comments': (c) => {
    const i = issueOf(c);
    const since = c.query.since ? Date.parse(c.query.since) : undefined;
    const list = c.repo.comments.filter((x) => x.issue === i.number && (since === undefined || Date.parse(x.updated_at) >= since));
    return paginate(c, list, (x) => commentJson(c, x));
  },
  'issues/create-comment': (c) => {
    const i = issueOf(c);
    checkBody('IssueComment', c.body.body);
    const x: CommentRec = { id: newId(), issue: i.number, body: c.body.body, user: c.token.user, created_at: now(), updated_at: now() };
    c.repo.comments.push(x);
    return { status: 201, body: commentJson(c, x), headers: { location: `${repoApi(c)}/issues/comments/${x.id}` } };
  },
  'issues/get-comment': (c) => ({ status: 200, body: commentJson(c, commentOf(c)) }),
  'issues/update-comment': (c) => {
    const x = commentOf(c);
    checkBody('IssueComment', c.body.body);
    x.body = c.body.body;
    x.updated_at = now();
    return { status: 200, body: commentJson(c, x) };
  },
  'issues/delete-comment': (c) => {
    const x = commentOf(c);
    c.repo.comments.splice(c.repo.comments.indexOf(x), 1);
    return { status: 204 };
  },
  'issues/add-labels': (c) => {
    const i = issueOf(c);
    const raw = Array.isArray(c.body) ? c.body : (c.body.labels ?? []);
    labelIssue(c.repo, i.number, raw.map((l: string | { name: string }) => (typeof l === 'string' ? l : l.name)), c.token.user);
    return { status: 200, body: i.labels.map((l) => labelJson(c, l)) };
  },
  'issues/list-labels-on-issue': (c) => paginate(c, issueOf(c).labels, (l) => labelJson(c, l)),
  'issues/remove-label': (c) => {
    const i = issueOf(c);
    const idx = i.labels.findIndex((l) => l.toLowerCase() === c.params.name!.toLowerCase());
    if (idx < 0) throw new HttpError(404, 'Label does not exist');
    const [name] = i.labels.splice(idx, 1);
    addEvent(c.repo, i.number, { event: 'unlabeled', actor: c.token.user, label: { name: name!, color: 'ededed' } });
    return { status: 200, body: i.labels.map((l) => labelJson(c, l)) };
  },
  'issues/list-events': (c) => {
    const i = issueOf(c);
    return paginate(c, c.repo.events.get(i.number) ?? [], (e) => ({
      id: e.id,
      node_id: nodeId('E', e.id),
      url: `${repoApi(c)}/issues/events/${e.id}`,
      actor: userJson(c, e.actor),
      event: e.event,
      commit_id: e.commit_id ?? null,
      commit_url: e.commit_id ? `${repoApi(c)}/commits/${e.commit_id}` : null,
      created_at: e.created_at,
      performed_via_github_app: null,
      ...(e.label ? { label: e.label } : {}),
    }));
  },
  'issues/list-events-for-timeline': (c) => {
    const i = issueOf(c);
    const items: { at: string; id: number; json: unknown }[] = [];
    for (const e of c.repo.events.get(i.number) ?? []) {
      items.push({
        at: e.created_at,
        id: e.id,
        json: {
          id: e.id,
          node_id: nodeId('E', e.id),
          url: `${repoApi(c)}/issues/events/${e.id}`,
          actor: userJson(c, e.actor),
          event: e.event,
          commit_id: e.commit_id ?? null,
          commit_url: e.commit_id ? `${repoApi(c)}/commits/${e.commit_id}` : null,
          created_at: e.created_at,
          performed_via_github_app: null,
          ...(e.label ? { label: e.label } : {}),
        },
      });
    }
    for (const x of c.repo.comments.filter((k) => k.issue === i.number)) {
      items.push({ at: x.created_at, id: x.id, json: { ...commentJson(c, x), event: 'commented', actor: userJson(c, x.user) } });
    }
    items.sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
    return paginate(c, items, (x) => x.json);
  },

  // pulls
  'pulls/create': async (c) => {
    checkBody('PullRequest', c.body.body);
    if (!c.body.title && !c.body.issue) throw validationFailed('PullRequest', 'title', 'missing_field');
    const i = await createPullRecord(c.fake, c.repo, { ...(c.body as { head: string; base: string; title: string }) }, c.token.user);
    return { status: 201, body: pullJson(c, i), headers: { location: `${repoApi(c)}/pulls/${i.number}` } };
  },
  'pulls/list': async (c) => {
    const state = c.query.state ?? 'open';
    let list = [...c.repo.issues.values()].filter((i) => i.pull && (state === 'all' || i.state === state));
    if (c.query.head) {
      const [owner, ref] = c.query.head.includes(':') ? c.query.head.split(/:(.*)/s) : [c.query.head, undefined];
      // GitHub filters by user:ref; a head without ":" matches nothing useful, as on GitHub.
      list = list.filter((i) => {
        const headRepo = c.fake.repos.get(i.pull!.headRepo.toLowerCase());
        return headRepo?.owner.toLowerCase() === owner!.toLowerCase() && (ref === undefined || i.pull!.headRef === ref);
      });
    }
    if (c.query.base) list = list.filter((i) => i.pull!.baseRef === c.query.base);
    // GitHub: desc by default when sorting by creation (or not at all), asc otherwise.
    const direction = c.query.direction ?? (!c.query.sort || c.query.sort === 'created' ? 'desc' : 'asc');
    const key = c.query.sort === 'updated' ? 'updated_at' : 'created_at';
    list.sort((a, b) => a[key].localeCompare(b[key]) || a.number - b.number);
    if (direction === 'desc') list.reverse();
    for (const i of list) await refreshPull(c.fake, c.repo, i);
    return paginate(c, list, (i) => pullSimple(c, i));
  },
  'pulls/get': async (c) => ({ status: 200, body: pullJson(c, await pullOf(c)) }),
  'pulls/update': async (c) => {
    const i = await pullOf(c);
    checkBody('PullRequest', c.body.body);
    if (c.body.title !== undefined) i.title = c.body.title;
    if (c.body.body !== undefined) i.body = c.body.body;
    if (c.body.base !== undefined) {
      if (!(await c.repo.git.resolve(`refs/heads/${c.body.base}`))) throw validationFailed('PullRequest', 'base', 'invalid');
      i.pull!.baseRef = c.body.base;
    }
    if (c.body.state) {
      if (c.body.state === 'open' && i.pull!.merged) throw validationFailed('PullRequest', 'state', 'invalid', 'cannot reopen a merged pull request');
      if (c.body.state === 'open' && i.state === 'closed') {
        for (const o of c.repo.issues.values()) {
          if (o !== i && o.pull && o.state === 'open' && o.pull.headRepo === i.pull!.headRepo && o.pull.headRef === i.pull!.headRef && o.pull.baseRef === i.pull!.baseRef) {
            throw validationFailed('PullRequest', undefined, 'custom', `A pull request already exists for ${c.repo.owner}:${i.pull!.headRef}.`);
          }
        }
      }
      setState(c, i, c.body.state);
    }
    i.updated_at = now();
    await refreshPull(c.fake, c.repo, i);
    return { status: 200, body: pullJson(c, i) };
  },
  'pulls/list-files': async (c) => {
    const i = await pullOf(c);
    const base = (await c.repo.git.mergeBase(i.pull!.baseSha, i.pull!.headSha)) ?? i.pull!.baseSha;
    return paginate(c, await filesJson(c, base, i.pull!.headSha));
  },
  'pulls/merge': async (c) => {
    const i = await pullOf(c);
    const pr = i.pull!;
    if (pr.merged || i.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
    if (c.body.sha && c.body.sha !== pr.headSha) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
    const git = c.repo.git;
    const base = pr.baseSha;
    const method = c.body.merge_method ?? 'merge';
    const who = identityOf(c.token.user);
    let sha: string;
    if (method === 'merge') {
      const tree = await git.mergeTrees(base, pr.headSha);
      if (!tree) throw new HttpError(405, 'Pull Request is not mergeable');
      const title = c.body.commit_title ?? `Merge pull request #${i.number} from ${c.repo.owner}/${pr.headRef}`;
      const message = `${title}\n\n${c.body.commit_message ?? i.title}`;
      sha = await git.commitTree(tree, [base, pr.headSha], message, who, who);
    } else {
      const tree = await git.mergeTrees(base, pr.headSha);
      if (!tree) throw new HttpError(405, 'Pull Request is not mergeable');
      const title = c.body.commit_title ?? `${i.title} (#${i.number})`;
      sha = await git.commitTree(tree, [base], c.body.commit_message ? `${title}\n\n${c.body.commit_message}` : title, who, who);
    }
    if (!(await git.updateRef(`refs/heads/${pr.baseRef}`, sha, base))) throw new HttpError(409, 'Base branch was modified. Review and try the merge again.');
    pr.merged = true;
    pr.merged_at = now();
    pr.merged_by = c.token.user;
    pr.merge_commit_sha = sha;
    i.state = 'closed';
    i.closed_at = now();
    addEvent(c.repo, i.number, { event: 'merged', actor: c.token.user, commit_id: sha });
    addEvent(c.repo, i.number, { event: 'closed', actor: c.token.user });
    return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
  },

  // statuses and checks
  'repos/create-commit-status': async (c) => {
    const sha = await c.repo.git.resolve(c.params.sha!);
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${c.params.sha}`);
    const context: string = c.body.context ?? 'default';
    if (c.body.description && c.body.description.length > 140) {
      throw validationFailed('Status', 'description', 'custom', 'description is too long (maximum is 140 characters)');
    }
    if (c.repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= 1000) {
      throw validationFailed('Status', undefined, 'custom', 'This SHA and context has reached the maximum number of statuses.');
    }
    const s: StatusRec = {
      id: newId(),
      sha,
      state: c.body.state,
      context,
      description: c.body.description ?? null,
      target_url: c.body.target_url ?? null,
      creator: c.token.user,
      created_at: now(),
      updated_at: now(),
    };
    c.repo.statuses.push(s);
    return { status: 201, body: statusJson(c, s) };
  },
  'repos/list-commit-statuses-for-ref': async (c) => {
    const sha = await commitOf(c, c.params.ref!);
    return paginate(c, c.repo.statuses.filter((s) => s.sha === sha).reverse(), (s) => statusJson(c, s));
  },
  'repos/get-combined-status-for-ref': async (c) => {
    const sha = await commitOf(c, c.params.ref!);
    const latest = latestStatuses(c.repo, sha);
    const res = paginate(c, latest, (s) => statusJson(c, s));
    return {
      ...res,
      body: {
        state: combinedState(latest),
        statuses: res.body,
        sha,
        total_count: latest.length,
        repository: repoJson(c),
        commit_url: `${repoApi(c)}/commits/${sha}`,
        url: `${repoApi(c)}/commits/${sha}/status`,
      },
    };
  },
  'checks/create': async (c) => {
    const sha = await c.repo.git.resolve(c.body.head_sha);
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${c.body.head_sha}`);
    const r: CheckRunRec = {
      id: newId(),
      head_sha: sha,
      name: c.body.name,
      status: c.body.conclusion ? 'completed' : (c.body.status ?? 'queued'),
      conclusion: c.body.conclusion ?? null,
      details_url: c.body.details_url ?? null,
      external_id: c.body.external_id ?? null,
      started_at: c.body.started_at ?? now(),
      completed_at: c.body.completed_at ?? (c.body.conclusion ? now() : null),
      output: { title: null, summary: null, text: null, annotations: [] },
    };
    applyCheckOutput(r, c.body);
    if (r.status === 'completed' && !r.conclusion) throw validationFailed('CheckRun', 'conclusion', 'missing_field', 'conclusion is required when status is completed');
    c.repo.checkRuns.push(r);
    return { status: 201, body: checkRunJson(c, r) };
  },
  'checks/update': (c) => {
    const r = c.repo.checkRuns.find((x) => x.id === Number(c.params.check_run_id));
    if (!r) throw notFound();
    for (const k of ['name', 'details_url', 'external_id', 'started_at'] as const) if (c.body[k] !== undefined) r[k] = c.body[k];
    if (c.body.status) r.status = c.body.status;
    if (c.body.conclusion) {
      r.conclusion = c.body.conclusion;
      r.status = 'completed';
      r.completed_at = c.body.completed_at ?? now();
    }
    if (r.status === 'completed' && !r.conclusion) throw validationFailed('CheckRun', 'conclusion', 'missing_field', 'conclusion is required when status is completed');
    applyCheckOutput(r, c.body);
    return { status: 200, body: checkRunJson(c, r) };
  },
  'checks/get': (c) => {
    const r = c.repo.checkRuns.find((x) => x.id === Number(c.params.check_run_id));
    if (!r) throw notFound();
    return { status: 200, body: checkRunJson(c, r) };
  },
  'checks/list-for-ref': async (c) => {
    const sha = await commitOf(c, c.params.ref!);
    let runs = c.repo.checkRuns.filter((r) => r.head_sha === sha).reverse();
    if (c.query.check_name) runs = runs.filter((r) => r.name === c.query.check_name);
    if (c.query.status) runs = runs.filter((r) => r.status === c.query.status);
    if ((c.query.filter ?? 'latest') === 'latest') runs = runs.filter((r, idx) => runs.findIndex((o) => o.name === r.name) === idx);
    return paginate(c, runs, (r) => checkRunJson(c, r), (slice, total) => ({ total_count: total, check_runs: slice }));
  },

  // deployments
  'repos/create-deployment': async (c) => {
    const sha = await c.repo.git.resolve(c.body.ref);
    if (!sha) throw validationFailed('Deployment', 'ref', 'invalid', `No ref found for: ${c.body.ref}`);
    // GitHub checks every commit status context unless required_contexts narrows it (often []).
    const required: string[] | undefined = c.body.required_contexts;
    const latest = latestStatuses(c.repo, sha);
    const contexts = required ?? latest.map((s) => s.context);
    const failing = contexts
      .map((ctx) => ({ context: ctx, state: latest.find((s) => s.context === ctx)?.state ?? 'missing' }))
      .filter((s) => s.state !== 'success');
    if (failing.length) {
      throw new HttpError(409, `Conflict: Commit status checks failed for ${c.body.ref}.`, {
        errors: [{ contexts: failing, resource: 'Deployment', field: 'required_contexts', code: 'invalid' }],
      });
    }
    const environment: string = c.body.environment ?? 'production';
    const d: DeploymentRec = {
      id: newId(),
      sha,
      ref: c.body.ref,
      task: c.body.task ?? 'deploy',
      payload: typeof c.body.payload === 'string' ? safeJson(c.body.payload) : (c.body.payload ?? {}),
      environment,
      original_environment: environment,
      description: c.body.description ?? null,
      creator: c.token.user,
      created_at: now(),
      updated_at: now(),
      transient_environment: c.body.transient_environment ?? false,
      production_environment: c.body.production_environment ?? environment === 'production',
      statuses: [],
    };
    c.repo.deployments.push(d);
    return { status: 201, body: deploymentJson(c, d) };
  },
  'repos/list-deployments': (c) => {
    let list = [...c.repo.deployments].reverse();
    for (const k of ['sha', 'ref', 'task', 'environment'] as const) if (c.query[k]) list = list.filter((d) => d[k] === c.query[k]);
    return paginate(c, list, (d) => deploymentJson(c, d));
  },
  'repos/get-deployment': (c) => ({ status: 200, body: deploymentJson(c, deploymentOf(c)) }),
  'repos/create-deployment-status': (c) => {
    const d = deploymentOf(c);
    const s: DeploymentStatusRec = {
      id: newId(),
      state: c.body.state,
      description: c.body.description ?? '',
      environment: c.body.environment ?? d.environment,
      target_url: c.body.target_url ?? c.body.log_url ?? '',
      log_url: c.body.log_url ?? c.body.target_url ?? '',
      environment_url: c.body.environment_url ?? '',
      creator: c.token.user,
      created_at: now(),
      updated_at: now(),
    };
    if (s.environment !== d.environment) d.environment = s.environment;
    // auto_inactive (default true): earlier successful deployments to the same environment get an
    // inactive status, except transient and production ones (GitHub's documented rule).
    if (s.state === 'success' && c.body.auto_inactive !== false) {
      for (const other of c.repo.deployments) {
        if (other === d || other.environment !== d.environment || other.transient_environment || other.production_environment) continue;
        const last = other.statuses[other.statuses.length - 1];
        if (last && last.state === 'success') {
          other.statuses.push({ ...last, id: newId(), state: 'inactive', description: '', created_at: now(), updated_at: now(), creator: c.token.user });
        }
      }
    }
    d.statuses.push(s);
    d.updated_at = now();
    return { status: 201, body: deploymentStatusJson(c, d, s) };
  },
  'repos/list-deployment-statuses': (c) => {
    const d = deploymentOf(c);
    return paginate(c, [...d.statuses].reverse(), (s) => deploymentStatusJson(c, d, s));
  },

  // environments, protection, rulesets
  'repos/create-or-update-environment': (c) => {
    const name = c.params.environment_name!;
    const prev = c.repo.environments.get(name.toLowerCase());
    const id = (prev?.id as number) ?? newId();
    const env = {
      id,
      node_id: nodeId('EN', id),
      name,
      url: `${repoApi(c)}/environments/${encodeURIComponent(name)}`,
      html_url: `${repoHtml(c)}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
      created_at: (prev?.created_at as string) ?? now(),
      updated_at: now(),
      protection_rules: [
        ...(c.body.wait_timer ? [{ id: newId(), node_id: 'W', type: 'wait_timer', wait_timer: c.body.wait_timer }] : []),
        ...(c.body.reviewers?.length ? [{ id: newId(), node_id: 'R', type: 'required_reviewers', prevent_self_review: !!c.body.prevent_self_review, reviewers: c.body.reviewers }] : []),
      ],
      deployment_branch_policy: c.body.deployment_branch_policy ?? null,
      can_admins_bypass: c.body.can_admins_bypass ?? true,
    };
    c.repo.environments.set(name.toLowerCase(), env);
    return { status: 200, body: env };
  },
  'repos/get-environment': (c) => {
    const env = c.repo.environments.get(c.params.environment_name!.toLowerCase());
    if (!env) throw notFound();
    return { status: 200, body: env };
  },
  'repos/update-branch-protection': async (c) => {
    const branch = c.params.branch!;
    if (!(await c.repo.git.resolve(`refs/heads/${branch}`))) throw new HttpError(404, 'Branch not found');
    const url = `${repoApi(c)}/branches/${encodeURIComponent(branch)}/protection`;
    const rsc = c.body.required_status_checks;
    const p = {
      url,
      required_status_checks: rsc
        ? {
            url: `${url}/required_status_checks`,
            strict: rsc.strict,
            contexts: rsc.contexts ?? (rsc.checks ?? []).map((k: { context: string }) => k.context),
            checks: rsc.checks ?? (rsc.contexts ?? []).map((k: string) => ({ context: k, app_id: null })),
            contexts_url: `${url}/required_status_checks/contexts`,
          }
        : undefined,
      enforce_admins: { url: `${url}/enforce_admins`, enabled: !!c.body.enforce_admins },
      required_pull_request_reviews: c.body.required_pull_request_reviews ? { url: `${url}/required_pull_request_reviews`, ...c.body.required_pull_request_reviews } : undefined,
      required_linear_history: { enabled: !!c.body.required_linear_history },
      allow_force_pushes: { enabled: !!c.body.allow_force_pushes },
      allow_deletions: { enabled: !!c.body.allow_deletions },
    };
    c.repo.protections.set(branch, p);
    return { status: 200, body: p };
  },
  'repos/get-branch-protection': (c) => {
    const p = c.repo.protections.get(c.params.branch!);
    if (!p) throw new HttpError(404, 'Branch not protected');
    return { status: 200, body: p };
  },
  'repos/create-repo-ruleset': (c) => {
    const id = c.repo.rulesets.length + 1;
    const r = {
      id,
      name: c.body.name,
      target: c.body.target ?? 'branch',
      source_type: 'Repository',
      source: c.repo.fullName,
      enforcement: c.body.enforcement,
      bypass_actors: c.body.bypass_actors ?? [],
      conditions: c.body.conditions ?? null,
      rules: c.body.rules ?? [],
      node_id: nodeId('RRS', id),
      _links: { self: { href: `${repoApi(c)}/rulesets/${id}` }, html: { href: `${repoHtml(c)}/rules/${id}` } },
      created_at: now(),
      updated_at: now(),
    };
    c.repo.rulesets.push(r);
    return { status: 201, body: r };
  },
  'repos/get-repo-rulesets': (c) =>
    paginate(c, c.repo.rulesets, (r) => {
      const { rules: _r, conditions: _c, bypass_actors: _b, ...summary } = r;
      return summary;
    }),
  'repos/update-repo-ruleset': (c) => {
    const r = c.repo.rulesets.find((x) => x.id === Number(c.params.ruleset_id));
    if (!r) throw notFound();
    for (const k of ['name', 'target', 'enforcement', 'bypass_actors', 'conditions', 'rules']) if (c.body[k] !== undefined) r[k] = c.body[k];
    r.updated_at = now();
    return { status: 200, body: r };
  },
  'repos/create-deployment-branch-policy': (c) => {
    const env = c.repo.environments.get(c.params.environment_name!.toLowerCase());
    if (!env) throw notFound();
    const policies = ((env.__branch_policies as Record<string, unknown>[] | undefined) ??= []);
    const type = c.body.type ?? 'branch';
    if (policies.some((p) => p.name === c.body.name && p.type === type)) throw validationFailed('DeploymentBranchPolicy', 'name', 'already_exists');
    const id = newId();
    const policy = { id, node_id: nodeId('DBP', id), name: c.body.name, type };
    policies.push(policy);
    return { status: 200, body: policy };
  },
  'repos/list-deployment-branch-policies': (c) => {
    const env = c.repo.environments.get(c.params.environment_name!.toLowerCase());
    if (!env) throw notFound();
    const policies = (env.__branch_policies as Record<string, unknown>[] | undefined) ?? [];
    return paginate(c, policies, (p) => p, (slice, total) => ({ total_count: total, branch_policies: slice }));
  },
  'repos/list-tags': async (c) => {
    // GitHub lists tags by name, descending; tags not pointing at a commit are left out.
    const tags = (await c.repo.git.refs('refs/tags/')).filter((t) => t.commit).reverse();
    return paginate(c, tags, (t) => {
      const name = t.ref.slice('refs/tags/'.length);
      return {
        name,
        commit: { sha: t.commit, url: `${repoApi(c)}/commits/${t.commit}` },
        zipball_url: `${repoApi(c)}/zipball/refs/tags/${name}`,
        tarball_url: `${repoApi(c)}/tarball/refs/tags/${name}`,
        node_id: nodeId('REF', t.ref),
      };
    });
  },
  'users/get-by-username': (c) => {
    const u = c.fake.users.get(c.params.username!.toLowerCase());
    if (!u) throw notFound();
    return { status: 200, body: { ...userJson(c, u), name: null, company: null, blog: '', location: null, email: null, hireable: null, bio: null, twitter_username: null, public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: '2011-01-25T18:44:36Z', updated_at: '2026-01-01T00:00:00Z' } };
  },
  'teams/get-by-name': (c) => {
    const t = c.fake.teams.get(`${c.params.org}/${c.params.team_slug}`.toLowerCase());
    if (!t) throw notFound();
    const url = `${api(c)}/orgs/${t.org}/teams/${t.slug}`;
    return {
      status: 200,
      body: {
        id: t.id,
        node_id: nodeId('T', t.id),
        url,
        html_url: `${c.fake.serverUrl}/orgs/${t.org}/teams/${t.slug}`,
        name: t.name,
        slug: t.slug,
        description: null,
        privacy: 'closed',
        notification_setting: 'notifications_enabled',
        permission: 'pull',
        members_url: `${url}/members{/member}`,
        repositories_url: `${url}/repos`,
        parent: null,
        members_count: 0,
        repos_count: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
        organization: { login: t.org, id: 1000 + t.org.length, node_id: nodeId('O', t.org), url: `${api(c)}/orgs/${t.org}`, repos_url: `${api(c)}/orgs/${t.org}/repos`, events_url: `${api(c)}/orgs/${t.org}/events`, hooks_url: `${api(c)}/orgs/${t.org}/hooks`, issues_url: `${api(c)}/orgs/${t.org}/issues`, members_url: `${api(c)}/orgs/${t.org}/members{/member}`, public_members_url: `${api(c)}/orgs/${t.org}/public_members{/member}`, avatar_url: '', description: null, has_organization_projects: true, has_repository_projects: true, public_repos: 0, public_gists: 0, followers: 0, following: 0, html_url: `${c.fake.serverUrl}/${t.org}`, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', type: 'Organization', archived_at: null },
      },
    };
  },
  'repos/get-repo-ruleset': (c) => {
    const r = c.repo.rulesets.find((x) => x.id === Number(c.params.ruleset_id));
    if (!r) throw notFound();
    return { status: 200, body: r };
  },
};

async function tagJson(c: Ctx, sha: string) {
  const t = await c.repo.git.readTag(sha);
  if (!t) throw notFound();
  const kind = t.type === 'commit' ? 'commits' : t.type === 'tree' ? 'trees' : t.type === 'tag' ? 'tags' : 'blobs';
  return {
    node_id: nodeId('TAG', t.sha),
    tag: t.tag,
    sha: t.sha,
    url: `${repoApi(c)}/git/tags/${t.sha}`,
    message: t.message,
    tagger: t.tagger,
    object: { type: t.type, sha: t.object, url: `${repoApi(c)}/git/${kind}/${t.object}` },
    verification: unsigned,
  };
}

function contentEntry(c: Ctx, path: string, sha: string, type: string, size: number, ref: string) {
  const url = `${repoApi(c)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = type === 'dir' ? `${repoApi(c)}/git/trees/${sha}` : `${repoApi(c)}/git/blobs/${sha}`;
  const html = `${repoHtml(c)}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${path}`;
  return {
    type,
    size: type === 'dir' ? 0 : size,
    name: path.split('/').pop()!,
    path,
    sha,
    url,
    git_url: gitUrl,
    html_url: html,
    download_url: type === 'file' ? `${c.fake.serverUrl.replace('://', '://raw.')}/${c.repo.fullName}/${ref}/${path}` : null,
    _links: { self: url, git: gitUrl, html },
  };
}

async function branchReply(c: Ctx, branch: string): Promise<Reply> {
  const sha = await c.repo.git.resolve(`refs/heads/${branch}`);
  if (!sha) throw new HttpError(404, 'Branch not found');
  const p = c.repo.protections.get(branch);
  return {
    status: 200,
    body: {
      name: branch,
      commit: await restCommitJson(c, sha, false),
      _links: { self: `${repoApi(c)}/branches/${branch}`, html: `${repoHtml(c)}/tree/${branch}` },
      protected: !!p,
      protection: { enabled: !!p, required_status_checks: { enforcement_level: p ? 'non_admins' : 'off', contexts: [], checks: [] } },
      protection_url: `${repoApi(c)}/branches/${branch}/protection`,
    },
  };
}

function setState(c: Ctx, i: IssueRec, state: 'open' | 'closed'): void {
  if (state === i.state) return;
  i.state = state;
  i.closed_at = state === 'closed' ? now() : null;
  addEvent(c.repo, i.number, { event: state === 'closed' ? 'closed' : 'reopened', actor: c.token.user });
}

function latestStatuses(repo: RepoRec, sha: string): StatusRec[] {
  const byContext = new Map<string, StatusRec>();
  for (const s of repo.statuses) if (s.sha === sha) byContext.set(s.context.toLowerCase(), s);
  return [...byContext.values()].reverse();
}

function combinedState(latest: StatusRec[]): string {
  if (latest.some((s) => s.state === 'error' || s.state === 'failure')) return 'failure';
  if (latest.length === 0 || latest.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}

function applyCheckOutput(r: CheckRunRec, body: Record<string, { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined>): void {
  const o = body.output;
  if (!o) return;
  if ((o.annotations?.length ?? 0) > 50) throw validationFailed('CheckRun', 'output.annotations', 'custom', 'Only 50 annotations are allowed per request');
  r.output.title = o.title ?? r.output.title;
  r.output.summary = o.summary ?? r.output.summary;
  r.output.text = o.text ?? r.output.text;
  if (o.annotations) r.output.annotations.push(...o.annotations);
}

function deploymentOf(c: Ctx): DeploymentRec {
  const d = c.repo.deployments.find((x) => x.id === Number(c.params.deployment_id));
  if (!d) throw notFound();
  return d;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
