/**
 * The fake's object store: one real bare git repository per fake repo, so SHAs are the ones GitHub
 * would compute and tests can `git clone`/`git push` the same repository. Every write is a plumbing
 * command (hash-object -w, a private index + write-tree, commit-tree, mktag) and refs move only through
 * `git update-ref <ref> <new> <old>`, git's own compare-and-swap, so concurrent API writers race
 * exactly as on GitHub: one wins, the other is told the ref moved.
 *
 * This spawns git itself instead of using src/lib/git/cli.ts because blob contents are binary and
 * that helper decodes output as UTF-8.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export class GitFail extends Error {
  constructor(
    readonly args: string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  }
}

export interface Identity {
  name: string;
  email: string;
  /** ISO 8601 */
  date: string;
}

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Identity;
  committer: Identity;
  message: string;
}

export interface TagObject {
  sha: string;
  object: string;
  type: string;
  tag: string;
  tagger?: Identity;
  message: string;
}

export interface RefInfo {
  ref: string;
  sha: string;
  type: 'commit' | 'tag' | 'tree' | 'blob';
}

export class BareRepo {
  constructor(readonly dir: string) {}

  async run(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; allowFail?: boolean } = {}): Promise<{ stdout: Buffer; code: number; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: this.dir,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: this.dir,
          GIT_DIR: this.dir,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          LC_ALL: 'C',
          ...opts.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => {
        const res = { stdout: Buffer.concat(out), code: code ?? 1, stderr: Buffer.concat(err).toString('utf8') };
        if (res.code !== 0 && !opts.allowFail) reject(new GitFail(args, res.code, res.stderr));
        else resolve(res);
      });
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    });
  }

  async out(args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<string> {
    return (await this.run(args, opts)).stdout.toString('utf8').replace(/\n$/, '');
  }

  static async init(dir: string, defaultBranch: string): Promise<BareRepo> {
    const repo = new BareRepo(dir);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('git', ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, dir], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
      child.on('error', reject);
      child.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`git init ${dir} failed`))));
    });
    // Let tests push to it over file:// like to a GitHub remote.
    await repo.run(['config', 'receive.denyCurrentBranch', 'ignore']);
    return repo;
  }

  async writeBlob(content: Buffer): Promise<string> {
    return this.out(['hash-object', '-w', '-t', 'blob', '--stdin'], { input: content });
  }

  /** The object type, or undefined when it does not exist. */
  async typeOf(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const r = await this.run(['cat-file', '-t', sha], { allowFail: true });
    return r.code === 0 ? r.stdout.toString().trim() : undefined;
  }

  async readBlob(sha: string): Promise<Buffer | undefined> {
    if ((await this.typeOf(sha)) !== 'blob') return undefined;
    return (await this.run(['cat-file', 'blob', sha])).stdout;
  }

  /** Resolve a sha, branch, tag or `heads/x` to a full object name of the wanted type. */
  async resolve(rev: string, peel: 'commit' | 'tree' | 'any' = 'commit'): Promise<string | undefined> {
    if (!rev || rev.startsWith('-')) return undefined;
    const spec = peel === 'any' ? rev : `${rev}^{${peel}}`;
    const r = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', spec], { allowFail: true });
    return r.code === 0 ? r.stdout.toString().trim() : undefined;
  }

  async size(sha: string): Promise<number> {
    return Number(await this.out(['cat-file', '-s', sha]));
  }

  /** Entries of a tree; recursive lists subtrees too (as GitHub's ?recursive=1 does). */
  async lsTree(tree: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-z', '-l', '--full-tree', ...(recursive ? ['-r', '-t'] : []), tree];
    const raw = (await this.run(args)).stdout.toString('utf8');
    return raw
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf('\t');
        const [mode, type, sha, size] = rec.slice(0, tab).split(/\s+/);
        const e: TreeEntry = { path: rec.slice(tab + 1), mode: mode!, type: type as TreeEntry['type'], sha: sha! };
        if (type === 'blob') e.size = Number(size);
        return e;
      });
  }

  /**
   * Build a tree from `base` (or empty) plus changes, as POST git/trees does: a null sha deletes the path
   * (a whole directory when it names one), a tree entry replaces the directory, others set the leaf.
   */
  async buildTree(base: string | undefined, changes: { path: string; mode: string; type: string; sha: string | null }[]): Promise<string> {
    const index = join(this.dir, `fake-index-${randomUUID()}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      if (base) await this.run(['read-tree', base], { env });
      else await this.run(['read-tree', '--empty'], { env });
      for (const c of changes) {
        const path = c.path.replace(/^\/+|\/+$/g, '');
        // Whatever was at the path, as a file or as a directory, goes first.
        const existing = (await this.run(['ls-files', '-z', '--', path], { env })).stdout.toString('utf8').split('\0').filter(Boolean);
        if (existing.length) {
          const removals = existing.map((p) => `0 ${ZERO_SHA}\t${p}\n`).join('');
          await this.run(['update-index', '-z', '--index-info'], { env, input: removals.replace(/\n/g, '\0') });
        }
        if (c.sha === null) continue;
        if (c.type === 'tree') {
          await this.run(['read-tree', `--prefix=${path}/`, c.sha], { env });
        } else {
          await this.run(['update-index', '-z', '--index-info'], { env, input: `${c.mode} ${c.sha}\t${path}\0` });
        }
      }
      return await this.out(['write-tree', '--missing-ok'], { env });
    } finally {
      await rm(index, { force: true });
    }
  }

  async commitTree(tree: string, parents: string[], message: string, author: Identity, committer: Identity): Promise<string> {
    return this.out(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: gitDate(author.date),
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: gitDate(committer.date),
      },
    });
  }

  async readCommit(sha: string): Promise<CommitObject | undefined> {
    if ((await this.typeOf(sha)) !== 'commit') return undefined;
    const full = await this.out(['rev-parse', sha]);
    const raw = (await this.run(['cat-file', 'commit', full])).stdout.toString('utf8');
    const { headers, message } = splitObject(raw);
    return {
      sha: full,
      tree: headers.find(([k]) => k === 'tree')![1],
      parents: headers.filter(([k]) => k === 'parent').map(([, v]) => v),
      author: parseIdentity(headers.find(([k]) => k === 'author')![1]),
      committer: parseIdentity(headers.find(([k]) => k === 'committer')![1]),
      message,
    };
  }

  async mktag(t: { object: string; type: string; tag: string; message: string; tagger: Identity }): Promise<string> {
    const body = `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${t.tagger.name} <${t.tagger.email}> ${gitDate(t.tagger.date)}\n\n${t.message}`;
    return this.out(['mktag'], { input: body });
  }

  async readTag(sha: string): Promise<TagObject | undefined> {
    if ((await this.typeOf(sha)) !== 'tag') return undefined;
    const full = await this.out(['rev-parse', sha]);
    const raw = (await this.run(['cat-file', 'tag', full])).stdout.toString('utf8');
    const { headers, message } = splitObject(raw);
    const get = (k: string) => headers.find(([h]) => h === k)?.[1];
    const tagger = get('tagger');
    return { sha: full, object: get('object')!, type: get('type')!, tag: get('tag')!, tagger: tagger ? parseIdentity(tagger) : undefined, message };
  }

  async refs(prefix = 'refs/'): Promise<RefInfo[]> {
    const raw = await this.out(['for-each-ref', '--format=%(refname) %(objectname) %(objecttype)', prefix]);
    return raw
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [ref, sha, type] = l.split(' ');
        return { ref: ref!, sha: sha!, type: type as RefInfo['type'] };
      });
  }

  async ref(name: string): Promise<RefInfo | undefined> {
    return (await this.refs(name)).find((r) => r.ref === name);
  }

  /** Compare-and-swap: old ZERO_SHA means "must not exist". Returns false when the ref was not at `old`. */
  async updateRef(ref: string, sha: string, old?: string): Promise<boolean> {
    const r = await this.run(['update-ref', ref, sha, ...(old ? [old] : [])], { allowFail: true });
    return r.code === 0;
  }

  async deleteRef(ref: string, old?: string): Promise<boolean> {
    const r = await this.run(['update-ref', '-d', ref, ...(old ? [old] : [])], { allowFail: true });
    return r.code === 0;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { allowFail: true })).code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const r = await this.run(['merge-base', a, b], { allowFail: true });
    return r.code === 0 ? r.stdout.toString().trim() : undefined;
  }

  /** Commits reachable from head but not from base, oldest first. */
  async revList(base: string | undefined, head: string): Promise<string[]> {
    const out = await this.out(['rev-list', '--reverse', base ? `${base}..${head}` : head]);
    return out.split('\n').filter(Boolean);
  }

  /** Changed files between two commits (or against the empty tree), with line counts. */
  async diffFiles(from: string | undefined, to: string): Promise<{ filename: string; status: string; additions: number; deletions: number; sha: string | null; previous_filename?: string }[]> {
    const fromTree = from ?? (await this.out(['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' }));
    const names = (await this.run(['diff-tree', '-r', '-z', '-M', '--no-commit-id', fromTree, to])).stdout.toString('utf8').split('\0');
    const nums = (await this.run(['diff-tree', '-r', '-z', '-M', '--numstat', '--no-commit-id', fromTree, to])).stdout.toString('utf8').split('\0');
    const counts = new Map<string, [number, number]>();
    for (let i = 0; i < nums.length; i++) {
      const m = /^(\d+|-)\t(\d+|-)\t(.*)$/.exec(nums[i]!);
      if (!m) continue;
      let file = m[3]!;
      if (file === '') {
        // Rename: "a\td\t" then old and new path as two more fields.
        file = nums[i + 2]!;
        i += 2;
      }
      counts.set(file, [m[1] === '-' ? 0 : Number(m[1]), m[2] === '-' ? 0 : Number(m[2])]);
    }
    const files = [];
    for (let i = 0; i < names.length; i++) {
      const m = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/.exec(names[i]!);
      if (!m) continue;
      const status = { A: 'added', D: 'removed', M: 'modified', R: 'renamed', T: 'changed', C: 'copied' }[m[5]!] ?? 'modified';
      let filename = names[++i]!;
      let previous: string | undefined;
      if (m[5] === 'R' || m[5] === 'C') {
        previous = filename;
        filename = names[++i]!;
      }
      const [additions, deletions] = counts.get(filename) ?? [0, 0];
      files.push({ filename, status, additions, deletions, sha: m[5] === 'D' ? null : m[4]!, ...(previous ? { previous_filename: previous } : {}) });
    }
    return files;
  }

  /** Three-way merge of two commits into a tree (undefined on conflict). */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const r = await this.run(['merge-tree', '--write-tree', '--no-messages', ours, theirs], { allowFail: true });
    if (r.code !== 0) return undefined;
    return r.stdout.toString().split('\n')[0]!.trim();
  }
}

function splitObject(raw: string): { headers: [string, string][]; message: string } {
  const blank = raw.indexOf('\n\n');
  const head = blank < 0 ? raw : raw.slice(0, blank);
  const message = blank < 0 ? '' : raw.slice(blank + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    // Continuation lines (gpgsig, mergetag) start with a space.
    if (line.startsWith(' ')) continue;
    const sp = line.indexOf(' ');
    headers.push([line.slice(0, sp), line.slice(sp + 1)]);
  }
  return { headers, message };
}

function parseIdentity(s: string): Identity {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(s);
  if (!m) return { name: s, email: '', date: new Date(0).toISOString() };
  return { name: m[1]!, email: m[2]!, date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.000Z$/, 'Z') };
}

/** ISO 8601 to git's "<unix seconds> +0000" (git parses ISO too, but this keeps timezones exact). */
function gitDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`invalid date ${iso}`);
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  const tz = m ? `${m[1]}${m[2]}${m[3]}` : '+0000';
  return `${Math.floor(t / 1000)} ${tz}`;
}
