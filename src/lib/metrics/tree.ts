/**
 * A read-only view of the project files at one revision: the working tree, or any git revision read
 * with `git show <rev>:<path>` so a baseline never needs a checkout (and never touches the workspace).
 * Paths are relative to the project folder (`cwd`), with `/` separators.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { UserError } from '../errors.js';
import type { GitResult } from '../git/cli.js';
import type { Logger } from '../log.js';

/**
 * Read-only git with stdin closed. git() in ../git/cli.ts writes to the child's stdin, which races with
 * fast-exiting commands (cat-file, rev-parse) and crashes the process with an unhandled EPIPE when
 * several run at once; these commands need no input, so they do not open a stdin pipe at all.
 */
function git(args: string[], opts: { cwd: string; allowFail?: boolean }): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: opts.cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (err && typeof err.code !== 'number') return reject(err);
        if (code !== 0 && !opts.allowFail) return reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr.trim()}`));
        resolve({ stdout, stderr, code });
      },
    ).stdin?.destroy();
  });
}

async function gitOut(args: string[], opts: { cwd: string }): Promise<string> {
  return (await git(args, opts)).stdout.replace(/\n$/, '');
}

export interface Tree {
  /** What this tree is, for messages and table headers: `workspace` or the revision name. */
  readonly label: string;
  /** Full commit sha for a git tree. */
  readonly sha?: string;
  /** File content, or undefined when the path is not a file at this revision. */
  read(path: string): Promise<string | undefined>;
  /** Files under a directory (recursive), or undefined when the path is not a directory. */
  listDir(path: string): Promise<string[] | undefined>;
  /** Every file named `name` in the project, at any depth (versioned ones; .gitignore'd ones are left out). */
  findNamed(name: string): Promise<string[]>;
}

// Shallowest first (the root dvc.yaml before nested ones), then by path.
const named = (files: string[], name: string) =>
  files
    .filter((f) => f === name || f.endsWith(`/${name}`))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));

export function normalizePath(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '');
  return n === '.' ? '' : n.replace(/\/$/, '');
}

export function workspaceTree(cwd: string): Tree {
  return {
    label: 'workspace',
    async read(path) {
      const full = join(cwd, path);
      if (!existsSync(full) || !statSync(full).isFile()) return undefined;
      return readFileSync(full, 'utf8');
    },
    async listDir(path) {
      const full = join(cwd, path);
      if (!existsSync(full) || !statSync(full).isDirectory()) return undefined;
      const out: string[] = [];
      const walk = (rel: string) => {
        for (const e of readdirSync(join(cwd, rel), { withFileTypes: true })) {
          const child = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) walk(child);
          else if (e.isFile()) out.push(child);
        }
      };
      walk(normalizePath(path));
      return out.sort();
    },
    async findNamed(name) {
      // Tracked and untracked-but-not-ignored files: what `git add -A` would version.
      const r = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd, allowFail: true });
      if (r.code !== 0) return existsSync(join(cwd, name)) ? [name] : [];
      return named([...new Set(r.stdout.split('\0').filter(Boolean))], name).filter((f) => existsSync(join(cwd, f)));
    },
  };
}

/** A tree at a git revision (which must already resolve: see resolveRevision). */
export function gitTree(cwd: string, rev: string, sha: string, label = rev): Tree {
  return {
    label,
    sha,
    async read(path) {
      // `rev:./path` resolves relative to cwd, so projects in a subfolder of the repo work.
      const r = await git(['cat-file', 'blob', `${sha}:./${normalizePath(path)}`], { cwd, allowFail: true });
      return r.code === 0 ? r.stdout : undefined;
    },
    async listDir(path) {
      const p = normalizePath(path);
      const type = await git(['cat-file', '-t', `${sha}:./${p}`], { cwd, allowFail: true });
      if (type.code !== 0 || type.stdout.trim() !== 'tree') return undefined;
      const out = await gitOut(['ls-tree', '-r', '--name-only', '-z', sha, '--', p || '.'], { cwd });
      return out.split('\0').filter(Boolean).sort();
    },
    async findNamed(name) {
      const out = await gitOut(['ls-tree', '-r', '--name-only', '-z', sha, '--', '.'], { cwd });
      return named(out.split('\0').filter(Boolean), name);
    },
  };
}

/**
 * Resolve a ref (branch, tag, sha, `origin/main`) to a commit without changing the workspace. A branch
 * that is not present locally (shallow CI checkouts fetch only the PR) is fetched from origin at depth 1.
 * Returns undefined when it cannot be found; the caller decides whether that fails the run.
 */
export async function resolveRevision(cwd: string, ref: string, log?: Logger): Promise<string | undefined> {
  const verify = async (r: string) => {
    const res = await git(['rev-parse', '--verify', '--quiet', `${r}^{commit}`], { cwd, allowFail: true });
    return res.code === 0 ? res.stdout.trim() : undefined;
  };
  if (ref.startsWith('-')) throw new UserError(`invalid git ref "${ref}"`, { field: 'baseline-ref' });
  const short = ref.replace(/^refs\/heads\//, '');
  const local = (await verify(ref)) ?? (await verify(`origin/${short}`)) ?? (await verify(`refs/remotes/origin/${short}`));
  if (local) return local;
  const remote = await git(['remote'], { cwd, allowFail: true });
  if (remote.code !== 0 || !remote.stdout.split('\n').includes('origin')) return undefined;
  log?.info(`Fetching ${short} from origin (not present in the checkout)`);
  const fetched = await git(['fetch', '--no-tags', '--depth=1', 'origin', `+${short}:refs/remotes/origin/${short}`], { cwd, allowFail: true });
  if (fetched.code !== 0) {
    // Not a branch: maybe a sha or tag the server lets us fetch directly.
    const direct = await git(['fetch', '--no-tags', '--depth=1', 'origin', short], { cwd, allowFail: true });
    if (direct.code !== 0) {
      log?.debug(`git fetch ${short}: ${fetched.stderr.trim()} / ${direct.stderr.trim()}`);
      return undefined;
    }
    return verify('FETCH_HEAD');
  }
  return verify(`refs/remotes/origin/${short}`);
}
