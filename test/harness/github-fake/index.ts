/**
 * A stateful fake of api.github.com for contract tests: real HTTP on 127.0.0.1, every request checked
 * against GitHub's OpenAPI description (invalid ones answered 422/400/404 as GitHub does and recorded in
 * `fake.invalid`), git data in real bare repositories, GitHub's pagination, auth, permissions,
 * rate-limit headers, and injectable faults. See test/harness/README.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../tmp.js';
import { BareRepo, type RefInfo } from './git.js';
import { DOCS, HttpError, type Reply } from './http.js';
import { githubOpenApi, type Problem } from './openapi.js';
import { handlers, scopeOf, type Ctx, type TeamRec } from './routes.js';
import {
  BOT,
  newId,
  now,
  type CheckRunRec,
  type CommentRec,
  type DeploymentRec,
  type IssueRec,
  type Level,
  type Permissions,
  type RepoRec,
  type StatusRec,
  type TokenInfo,
  type User,
} from './state.js';
import { commitFiles, createPullRecord, labelIssue, type FileMap } from './ops.js';

export { githubOpenApi } from './openapi.js';
export type { Permissions, User } from './state.js';

export { DOCS, HttpError, type Reply } from './http.js';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: string;
  status: number;
  body: unknown;
  token?: string;
  fault?: boolean;
}

export interface InvalidRequest {
  method: string;
  path: string;
  operationId?: string;
  status: number;
  problems: Problem[] | string;
  body: unknown;
}

export interface FaultSpec {
  method?: string;
  /** Exact path, OpenAPI template ('/repos/{owner}/{repo}/statuses/{sha}') or a RegExp on the path. */
  path?: RegExp | string;
  operationId?: string;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long first; with no status/drop the request then proceeds normally. */
  delayMs?: number;
  drop?: 'before-response' | 'mid-body';
}

export interface Fault extends FaultSpec {
  /** Requests it has hit so far. */
  hits: number;
}

const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

/** Ready-made faults with GitHub's exact status, headers and message. */
export const faults = {
  serverError: (status = 500): FaultSpec => ({ status, body: { message: status === 502 ? 'Server Error' : 'Internal Server Error' } }),
  secondaryRateLimit: (retryAfterSeconds = 1): FaultSpec => ({
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message: SECONDARY, documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
  }),
  rateLimit429: (retryAfterSeconds = 1): FaultSpec => ({
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message: SECONDARY, documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
  }),
  /** 403 with x-ratelimit-remaining: 0 and a reset `resetInSeconds` from now. */
  primaryRateLimit: (resetInSeconds = 1): FaultSpec => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '__RESET__' + resetInSeconds },
    body: { message: 'API rate limit exceeded for installation ID 1234567.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
  }),
};

export interface GitHubFakeOptions {
  /** html_url base; default https://github.com */
  serverUrl?: string;
  /** Default token `test-token` with every permission at write. */
  defaultToken?: string;
}

export interface RepoOptions {
  defaultBranch?: string;
  private?: boolean;
  /** Seed the default branch with one commit holding these files. */
  files?: FileMap;
  message?: string;
}

const ALL_WRITE: Permissions = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  statuses: 'write',
  checks: 'write',
  deployments: 'write',
  administration: 'write',
};

export class GitHubFake {
  url = '';
  readonly serverUrl: string;
  readonly requests: LoggedRequest[] = [];
  readonly invalid: InvalidRequest[] = [];
  /** Operations GitHub has but this fake does not implement (answered 404 with a message saying so). */
  readonly unimplemented: string[] = [];
  /** Bugs in the fake itself (answered 500 with the stack); a test can assert this stays empty. */
  readonly errors: string[] = [];
  readonly repos = new Map<string, RepoRec>();
  readonly users = new Map<string, User>();
  readonly teams = new Map<string, TeamRec>();
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly faultList: Fault[] = [];
  private server?: Server;
  private root = '';
  private readonly resetAt = Math.floor(Date.now() / 1000) + 3600;

  constructor(opts: GitHubFakeOptions = {}) {
    this.serverUrl = opts.serverUrl ?? 'https://github.com';
    this.addToken(opts.defaultToken ?? 'test-token', ALL_WRITE);
  }

  async start(): Promise<this> {
    githubOpenApi();
    this.root = await makeTempDir('gh-fake-');
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.errors.push(`${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ message: `github-fake internal error: ${e instanceof Error ? e.stack : String(e)}` }));
        } else res.destroy();
      });
    });
    // Octokit's fetch keeps connections alive; close() must not wait for them.
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const r of this.repos.values()) r.git.close();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
      this.server = undefined;
    }
    if (this.root) await removeTempDir(this.root);
  }

  // ---- seeding and state helpers -------------------------------------------------------------

  addToken(token: string, permissions: Permissions, user: User = BOT): void {
    this.tokens.set(token, { token, permissions, user, used: 0 });
    this.users.set(user.login.toLowerCase(), user);
  }

  /** Make an account known (GET /users/{login} answers 404 for unknown ones). */
  addUser(login: string, type: 'User' | 'Bot' = 'User'): User {
    const user = userFor(login, type);
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  /** Make an org team known to GET /orgs/{org}/teams/{slug}. */
  addTeam(org: string, slug: string, name = slug): TeamRec {
    const team = { id: newId(), org, slug, name };
    this.teams.set(`${org}/${slug}`.toLowerCase(), team);
    return team;
  }

  async createRepo(fullName: string, opts: RepoOptions = {}): Promise<RepoRec> {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`repo must be owner/name: ${fullName}`);
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`repo ${fullName} already exists in the fake`);
    const defaultBranch = opts.defaultBranch ?? 'main';
    if (!this.users.has(owner.toLowerCase())) this.addUser(owner);
    const git = await BareRepo.init(join(this.root, `${owner}__${name}.git`), defaultBranch);
    const rec: RepoRec = {
      id: newId(),
      owner,
      name,
      fullName,
      defaultBranch,
      private: opts.private ?? false,
      git,
      nextNumber: 1,
      issues: new Map(),
      comments: [],
      labels: new Map(),
      events: new Map(),
      statuses: [],
      checkRuns: [],
      deployments: [],
      environments: new Map(),
      protections: new Map(),
      rulesets: [],
      created_at: now(),
    };
    this.repos.set(fullName.toLowerCase(), rec);
    if (opts.files) await commitFiles(rec, defaultBranch, opts.files, opts.message ?? 'Initial commit');
    return rec;
  }

  repo(fullName: string): RepoRec {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`no repo ${fullName} in the fake (createRepo first)`);
    return r;
  }

  /** The bare repository on disk (clone it, push to it). */
  repoPath(fullName: string): string {
    return this.repo(fullName).git.dir;
  }

  /** Commit files (null deletes) on a branch, creating it from `from` (default: the default branch) if needed. */
  async commit(fullName: string, branch: string, files: FileMap, message = 'test commit', from?: string): Promise<string> {
    return commitFiles(this.repo(fullName), branch, files, message, from);
  }

  async refs(fullName: string, prefix = 'refs/'): Promise<RefInfo[]> {
    return this.repo(fullName).git.refs(prefix);
  }

  /** The commit a branch or tag points at (peeled), or undefined. */
  async resolve(fullName: string, rev: string): Promise<string | undefined> {
    return this.repo(fullName).git.resolve(rev);
  }

  async createIssue(fullName: string, fields: { title: string; body?: string; user?: User }): Promise<IssueRec> {
    const repo = this.repo(fullName);
    const issue: IssueRec = {
      id: newId(),
      number: repo.nextNumber++,
      title: fields.title,
      body: fields.body ?? null,
      state: 'open',
      state_reason: null,
      user: fields.user ?? this.addUser('octocat'),
      labels: [],
      created_at: now(),
      updated_at: now(),
      closed_at: null,
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  async createPull(
    fullName: string,
    fields: { head: string; base: string; title?: string; body?: string; draft?: boolean; user?: User },
  ): Promise<IssueRec> {
    return createPullRecord(this, this.repo(fullName), { title: fields.title ?? fields.head, ...fields }, fields.user ?? this.addUser('octocat'));
  }

  /** Label an issue/PR as `actor` did (shows in /events and /timeline). */
  addLabel(fullName: string, number: number, label: string, actor: string | User = 'octocat'): void {
    const user = typeof actor === 'string' ? this.addUser(actor) : actor;
    labelIssue(this.repo(fullName), number, [label], user);
  }

  /** Seed a comment as `user` (default a human, octocat) without going through the API. */
  addComment(fullName: string, number: number, body: string, user: string | User = 'octocat'): CommentRec {
    const repo = this.repo(fullName);
    if (!repo.issues.has(number)) throw new Error(`no issue or PR #${number} in ${fullName}`);
    const u = typeof user === 'string' ? this.addUser(user) : user;
    const c: CommentRec = { id: newId(), issue: number, body, user: u, created_at: now(), updated_at: now() };
    repo.comments.push(c);
    return c;
  }

  issue(fullName: string, number: number): IssueRec | undefined {
    return this.repo(fullName).issues.get(number);
  }

  comments(fullName: string, number: number): CommentRec[] {
    return this.repo(fullName).comments.filter((c) => c.issue === number);
  }

  statuses(fullName: string, sha?: string): StatusRec[] {
    return this.repo(fullName).statuses.filter((s) => !sha || s.sha === sha);
  }

  checkRuns(fullName: string, sha?: string): CheckRunRec[] {
    return this.repo(fullName).checkRuns.filter((c) => !sha || c.head_sha === sha);
  }

  deployments(fullName: string): DeploymentRec[] {
    return this.repo(fullName).deployments;
  }

  pulls(fullName: string): IssueRec[] {
    return [...this.repo(fullName).issues.values()].filter((i) => i.pull);
  }

  environments(fullName: string): Map<string, Record<string, unknown>> {
    return this.repo(fullName).environments;
  }

  protections(fullName: string): Map<string, Record<string, unknown>> {
    return this.repo(fullName).protections;
  }

  rulesets(fullName: string): Record<string, unknown>[] {
    return this.repo(fullName).rulesets;
  }

  // ---- faults and the request log --------------------------------------------------------------

  fault(spec: FaultSpec): Fault {
    const f: Fault = { times: 1, ...spec, hits: 0 };
    this.faultList.push(f);
    return f;
  }

  clearFaults(): void {
    this.faultList.length = 0;
  }

  /** Requests matching an operationId, or a predicate. */
  count(filter: string | ((r: LoggedRequest) => boolean)): number {
    const pred = typeof filter === 'string' ? (r: LoggedRequest) => r.operationId === filter : filter;
    return this.requests.filter(pred).length;
  }

  clearLog(): void {
    this.requests.length = 0;
    this.invalid.length = 0;
  }

  // ---- request handling ------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawPath = url.pathname;
    const path = safeDecode(rawPath);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const raw = await readBody(req);
    const log: LoggedRequest = { method, path, query, status: 0, body: undefined };
    this.requests.push(log);
    let parsed: unknown;
    let bodyError = false;
    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        bodyError = true;
      }
    }
    log.body = bodyError ? raw.toString('utf8') : parsed;

    const send = (reply: Reply, tok?: TokenInfo) => {
      log.status = reply.status;
      this.write(res, method, reply, tok);
    };

    const spec = githubOpenApi();
    const match = spec.match(method, rawPath);
    if (!match) {
      this.invalid.push({ method, path, status: 404, problems: 'no such route in the GitHub REST API', body: log.body });
      return send({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } });
    }
    const { route, params } = match;
    log.operationId = route.operationId;

    const auth = req.headers.authorization ?? '';
    const tm = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
    const token = tm ? this.tokens.get(tm[1]!) : undefined;
    log.token = tm?.[1];
    if (!token) return send({ status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } });
    token.used++;

    if (bodyError) {
      this.invalid.push({ method, path, operationId: route.operationId, status: 400, problems: 'body is not valid JSON', body: log.body });
      return send({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } }, token);
    }
    const problems = spec.validate(route, params, query, parsed, raw.length > 0);
    if (problems.length) {
      this.invalid.push({ method, path, operationId: route.operationId, status: 422, problems, body: parsed });
      return send(
        {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: problems.map((p) => ({ resource: route.operationId.split('/')[0], field: p.field, code: p.code, message: p.message })),
            documentation_url: DOCS,
            status: '422',
          },
        },
        token,
      );
    }

    const fault = this.faultList.find((f) => f.hits < (f.times ?? 1) && faultMatches(f, method, path, route.template, route.operationId));
    if (fault) {
      fault.hits++;
      log.fault = true;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop === 'before-response') {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault.drop === 'mid-body') {
        log.status = -1;
        const text = JSON.stringify(fault.body ?? { message: 'partial' });
        res.writeHead(fault.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(text.length + 100) });
        res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        setTimeout(() => res.destroy(), 10);
        return;
      }
      if (fault.status) {
        const headers = { ...fault.headers };
        for (const [k, v] of Object.entries(headers)) {
          if (v.startsWith('__RESET__')) headers[k] = String(Math.floor(Date.now() / 1000) + Number(v.slice(9)));
        }
        return send({ status: fault.status, headers, body: fault.body }, token);
      }
    }

    const handler = handlers[route.operationId];
    if (!handler) {
      this.unimplemented.push(route.operationId);
      // 404 rather than 501 so clients fail fast instead of retrying a server error.
      return send({ status: 404, body: { message: `github-fake does not implement ${route.operationId} (${route.method} ${route.template})`, documentation_url: DOCS } }, token);
    }

    let repo: RepoRec | undefined;
    if (params.owner && params.repo) {
      repo = this.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
      if (!repo) return send({ status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } }, token);
    }

    const scope = scopeOf(route.operationId);
    const write = method !== 'GET' && method !== 'HEAD';
    if (scope !== 'metadata') {
      const level: Level = token.permissions[scope] ?? 'none';
      // PR conversation writes go through the issues API; GitHub accepts either permission for PRs.
      const alt: Level = scope === 'issues' && repo && isPullConversation(repo, params) ? (token.permissions.pull_requests ?? 'none') : 'none';
      const ok = (l: Level) => (write ? l === 'write' : l !== 'none');
      if (!ok(level) && !ok(alt)) {
        return send({ status: 403, body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' } }, token);
      }
    }

    try {
      const ctx: Ctx = { fake: this, method, path, rawPath, query, params, body: (parsed ?? {}) as Record<string, unknown>, token, repo: repo!, operationId: route.operationId };
      send(await handler(ctx), token);
    } catch (e) {
      if (e instanceof HttpError) {
        send({ status: e.status, headers: e.headers, body: { message: e.message, ...e.extra, documentation_url: DOCS, status: String(e.status) } }, token);
      } else throw e;
    }
  }

  private write(res: ServerResponse, method: string, reply: Reply, token?: TokenInfo): void {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
    };
    if (token) {
      headers['x-ratelimit-limit'] = '5000';
      headers['x-ratelimit-remaining'] = String(Math.max(0, 5000 - token.used));
      headers['x-ratelimit-reset'] = String(this.resetAt);
      headers['x-ratelimit-used'] = String(token.used);
      headers['x-ratelimit-resource'] = 'core';
    }
    Object.assign(headers, reply.headers);
    if (reply.status === 204 || reply.body === undefined) {
      delete headers['content-type'];
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(method === 'HEAD' ? undefined : text);
  }
}

/** A stable id per login, so the same user always has the same id. */
function userFor(login: string, type: 'User' | 'Bot'): User {
  if (login === BOT.login) return BOT;
  if (login === 'octocat') return { login, id: 583231, type: 'User' };
  let h = 0;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return { login, id: 1_000_000 + (h % 100_000_000), type };
}

function isPullConversation(repo: RepoRec, params: Record<string, string>): boolean {
  const n = Number(params.issue_number);
  if (n) return !!repo.issues.get(n)?.pull;
  const id = Number(params.comment_id);
  if (id) {
    const c = repo.comments.find((x) => x.id === id);
    return !!(c && repo.issues.get(c.issue)?.pull);
  }
  return false;
}

function faultMatches(f: FaultSpec, method: string, path: string, template: string, operationId: string): boolean {
  if (f.method && f.method.toUpperCase() !== method) return false;
  if (f.operationId && f.operationId !== operationId) return false;
  if (f.path instanceof RegExp) return f.path.test(path);
  if (typeof f.path === 'string') return f.path === path || f.path === template;
  return true;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startGitHubFake(opts: GitHubFakeOptions = {}): Promise<GitHubFake> {
  return new GitHubFake(opts).start();
}

export type { Ctx } from './routes.js';
export type { IssueRec, CommentRec, StatusRec, CheckRunRec, DeploymentRec, RepoRec, TokenInfo } from './state.js';
