/**
 * GitopsBackend over a local git repository (the CLI and the demo): each attempt fetches the branch
 * from the remote into a private ref, checks it out in a temporary worktree, applies the edit,
 * commits, and pushes without force, so the remote only ever fast-forwards. A rejected push (the
 * branch moved) starts the next attempt from the new head, after a jittered backoff. Without a
 * remote the branch itself is moved with `git update-ref <new> <old>`, the same compare-and-swap.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { withRetry } from '../retry.js';
import type { CommitFileOptions, CommitOutcome, GitopsBackend } from '../gitops/backend.js';
import { git, GitError, gitOut } from './cli.js';

export interface LocalGitOptions {
  /** A git repository (work tree or bare) holding the branch, or a clone of it. */
  repoDir: string;
  /**
   * Remote to fetch from and push to. Undefined: move the repository's own branch refs (for a bare
   * repository, or branches nobody has checked out: a checked-out one would look reverted on disk).
   */
  remote?: string;
  /** Committer identity when the repository has none configured. */
  author?: { name: string; email: string };
  attempts?: number;
  logger?: Logger;
}

/** Lost a race: someone else moved the branch (or held a lock) first; the next attempt starts over. */
class LostRace extends Error {}

/**
 * `git worktree add` reads every registered worktree, and one being registered or removed
 * concurrently is half-there; in one process these are serialised per repository, across processes
 * the attempt is retried.
 */
const worktreeLocks = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = worktreeLocks.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  worktreeLocks.set(key, next.catch(() => undefined));
  return next;
}

interface Session {
  dir?: string;
  wt?: string;
}

// Background maintenance would race with concurrent attempts in the same repository.
const QUIET = ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false'];

export class LocalGitBackend implements GitopsBackend {
  readonly where: string;
  private readonly log: Logger;

  constructor(private readonly opts: LocalGitOptions) {
    this.where = opts.remote ? `${opts.repoDir} (${opts.remote})` : opts.repoDir;
    this.log = opts.logger ?? silentLogger;
  }

  private run(args: string[], cwd = this.opts.repoDir, allowFail = false) {
    const env: Record<string, string> = {};
    if (this.opts.author) {
      env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = this.opts.author.name;
      env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = this.opts.author.email;
    }
    return git([...QUIET, ...args], { cwd, env, allowFail });
  }

  async defaultBranch(): Promise<string> {
    if (this.opts.remote) {
      const r = await this.run(['ls-remote', '--symref', this.opts.remote, 'HEAD'], undefined, true);
      const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(r.stdout);
      if (m) return m[1]!;
    }
    const head = await this.run(['symbolic-ref', '--short', 'HEAD'], undefined, true);
    if (head.code === 0 && head.stdout.trim()) return head.stdout.trim();
    throw new UserError(`cannot tell the default branch of ${this.where}: give the branch explicitly`, { field: 'branch' });
  }

  async headOf(branch: string): Promise<string | undefined> {
    if (this.opts.remote) {
      const r = await this.run(['ls-remote', '--heads', this.opts.remote, `refs/heads/${branch}`]);
      return r.stdout.split(/\s/)[0] || undefined;
    }
    const r = await this.run(['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`], undefined, true);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Fetch `branch` into a private ref and return its commit (undefined when the remote lacks it). */
  private async fetchHead(branch: string, into: string): Promise<string | undefined> {
    if (!this.opts.remote) return this.headOf(branch);
    // Fetch walks every worktree's HEAD; a worktree being added at that moment is a "bad object": retried.
    const r = await this.run(['fetch', '-q', '--no-tags', '--no-write-fetch-head', '--refmap=', this.opts.remote!, `+refs/heads/${branch}:${into}`], undefined, true);
    if (r.code !== 0) {
      if (/couldn't find remote ref|no such ref/i.test(r.stderr)) return undefined;
      if (/cannot lock ref|unable to update local ref|bad object .*worktrees\//i.test(r.stderr)) throw new LostRace(r.stderr);
      throw new GitError(['fetch', this.opts.remote, branch], r);
    }
    return gitOut(['rev-parse', into], { cwd: this.opts.repoDir });
  }

  async readFile(branch: string, path: string): Promise<string | undefined> {
    const tmpRef = `refs/mlops/bump/${randomUUID()}`;
    try {
      const head = await this.fetchHead(branch, tmpRef);
      return head ? await this.readAt(head, path) : undefined;
    } finally {
      if (this.opts.remote) await this.run(['update-ref', '-d', tmpRef], undefined, true);
    }
  }

  async commitFile(opts: CommitFileOptions): Promise<CommitOutcome> {
    let attempts = 0;
    // One worktree for all attempts of this bump: only the fetch-to-push window is repeated.
    const session: Session = {};
    try {
      return await withRetry(
        async () => {
          attempts++;
          return await this.attempt(opts, attempts, session);
        },
        {
          attempts: this.opts.attempts ?? 30,
          // About one attempt's duration, doubling: losers spread out instead of colliding again.
          baseDelayMs: 500,
          maxDelayMs: 8_000,
          retryIf: (e) => e instanceof LostRace,
          onRetry: (_e, n, ms) => this.log.debug(`${opts.branch} moved under bump attempt ${n}; retrying in ${Math.round(ms)} ms`),
        },
      );
    } catch (e) {
      if (e instanceof LostRace) {
        throw new UserError(`${this.where} branch ${opts.branch} kept moving; gave up after ${attempts} attempts (nothing was lost: re-run to apply)`);
      }
      throw e;
    } finally {
      await this.removeWorktree(session);
    }
  }

  private async attempt(opts: CommitFileOptions, n: number, session: Session): Promise<CommitOutcome> {
    const tmpRef = `refs/mlops/bump/${randomUUID()}`;
    let base = await this.fetchHead(opts.branch, tmpRef);
    const creating = base === undefined;
    try {
      if (creating) {
        if (!opts.startFrom) throw new UserError(`branch "${opts.branch}" does not exist in ${this.where}`, { field: 'branch' });
        base = await this.fetchHead(opts.startFrom, tmpRef);
        if (!base) throw new UserError(`branch "${opts.startFrom}" does not exist in ${this.where}`, { field: 'branch' });
      }
      const current = await this.readAt(base!, opts.path);
      const update = opts.apply(current);
      if (!update || update.content === current) return { changed: false, commit: creating ? undefined : base, attempts: n };
      const commit = await this.commitOn(session, base!, opts.path, update.content, update.message);
      await this.publish(opts.branch, commit, creating ? undefined : base!);
      return { changed: true, commit, attempts: n };
    } finally {
      if (this.opts.remote) await this.run(['update-ref', '-d', tmpRef], undefined, true);
    }
  }

  private async readAt(commit: string, path: string): Promise<string | undefined> {
    const r = await this.run(['cat-file', 'blob', `${commit}:${path.replace(/^\.?\//, '')}`], undefined, true);
    return r.code === 0 ? r.stdout : undefined;
  }

  /** Commit one file on top of `base` in the session's throwaway worktree; returns the new commit. */
  private async commitOn(session: Session, base: string, path: string, content: string, message: string): Promise<string> {
    if (!session.wt) {
      session.dir = await mkdtemp(join(tmpdir(), 'mlops-bump-'));
      // A unique basename: git names the worktree's admin folder after it.
      const wt = join(session.dir, `wt-${randomUUID().slice(0, 8)}`);
      // --no-checkout: the disk gets only the file we write; `reset` below fills the index.
      const add = await serialised(this.opts.repoDir, () => this.run(['worktree', 'add', '-q', '--detach', '--no-checkout', wt, base], undefined, true));
      if (add.code !== 0) {
        if (/worktrees\/|commondir|gitdir/.test(add.stderr)) throw new LostRace(add.stderr);
        throw new GitError(['worktree', 'add', wt, base], add);
      }
      session.wt = wt;
    }
    const wt = session.wt;
    await this.run(['reset', '-q', base], wt);
    const file = join(wt, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await this.run(['add', '--', path], wt);
    await this.run(['commit', '-q', '--no-verify', '-m', message], wt);
    return await gitOut(['rev-parse', 'HEAD'], { cwd: wt });
  }

  private async removeWorktree(session: Session): Promise<void> {
    if (session.wt) await serialised(this.opts.repoDir, () => this.run(['worktree', 'remove', '--force', session.wt!], undefined, true));
    if (session.dir) await rm(session.dir, { recursive: true, force: true });
  }

  /** Fast-forward `branch` to `commit`: push without force, or compare-and-swap the local ref. */
  private async publish(branch: string, commit: string, expected: string | undefined): Promise<void> {
    if (!this.opts.remote) {
      const r = await this.run(['update-ref', `refs/heads/${branch}`, commit, expected ?? '0'.repeat(40)], undefined, true);
      if (r.code !== 0) throw new LostRace(r.stderr);
      return;
    }
    const r = await this.run(['push', '-q', '--porcelain', this.opts.remote, `${commit}:refs/heads/${branch}`], undefined, true);
    if (r.code === 0) return;
    const out = r.stdout + r.stderr;
    if (/\[rejected\]|non-fast-forward|fetch first|\(stale info\)|cannot lock ref|failed to (update|lock) ref|incorrect old value|already exists/i.test(out)) {
      throw new LostRace(out);
    }
    throw new UserError(`push to ${this.opts.remote} ${branch} failed: ${out.trim()}`);
  }

  async resetBranch(branch: string, from: string): Promise<void> {
    const tmpRef = `refs/mlops/bump/${randomUUID()}`;
    const sha = await this.fetchHead(from, tmpRef);
    try {
      if (!sha) throw new UserError(`branch "${from}" does not exist in ${this.where}`, { field: 'branch' });
      if (this.opts.remote) await this.run(['push', '-q', '--force', this.opts.remote, `${sha}:refs/heads/${branch}`]);
      else await this.run(['update-ref', `refs/heads/${branch}`, sha]);
    } finally {
      if (this.opts.remote) await this.run(['update-ref', '-d', tmpRef], undefined, true);
    }
  }
}
