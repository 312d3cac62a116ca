/**
 * The fake's object store: one real bare git repository per fake repo, so SHAs are the ones GitHub
 * would compute and tests can `git clone`/`git push` the same repository.
 *
 * Objects are written as loose objects in-process (the exact bytes hash-object/mktree/commit-tree/mktag
 * write; the self-test compares with git and runs `git fsck --strict`) and read through one long-lived
 * `git cat-file --batch` per repo, because a process per API call made the fake slow. Refs are read
 * from their files, but move only through `git update-ref <ref> <new> <old>`, git's own
 * compare-and-swap, so concurrent API writers (and tests pushing with git) race exactly as on GitHub:
 * one wins, the other is told the ref moved.
 *
 * It spawns git itself instead of using src/lib/git/cli.ts because blob contents are binary and that
 * helper decodes output as UTF-8.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

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
  /** The commit it peels to (itself for a commit, the target of an annotated tag). */
  commit?: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * One long-running `git cat-file --batch` per repository for reads by full SHA. Objects are immutable,
 * so a long-lived reader is safe; refs are never resolved through it (its ref cache could be stale).
 */
class CatFile {
  private child?: ChildProcessWithoutNullStreams;
  private buf = Buffer.alloc(0);
  /** Output not yet joined into `buf`, and how many bytes the object being read still needs. */
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  private needBytes = 0;
  private readonly waiting: { resolve: (v: { type: string; data: Buffer } | undefined) => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly dir: string) {}

  read(sha: string): Promise<{ type: string; data: Buffer } | undefined> {
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(`${sha}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: this.dir, HOME: this.dir, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      // Join lazily: a large blob arrives in many chunks and must not be re-copied for each one.
      this.chunks.push(d);
      this.pendingBytes += d.length;
      if (this.buf.length + this.pendingBytes < this.needBytes) return;
      this.buf = Buffer.concat([this.buf, ...this.chunks]);
      this.chunks = [];
      this.pendingBytes = 0;
      this.drain();
    });
    const fail = (e: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
      if (this.child === child) this.child = undefined;
    };
    child.on('error', fail);
    child.on('close', () => fail(new Error('git cat-file --batch exited')));
    child.stdin.on('error', () => {});
    child.stderr.resume();
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    return child;
  }

  private drain(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0 || this.waiting.length === 0) return;
      const header = this.buf.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buf = this.buf.subarray(nl + 1);
        this.waiting.shift()!.resolve(undefined);
        continue;
      }
      const [, type, size] = header.split(' ');
      const n = Number(size);
      this.needBytes = nl + 1 + n + 1;
      if (this.buf.length < this.needBytes) return;
      this.needBytes = 0;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + n));
      this.buf = this.buf.subarray(nl + 1 + n + 1);
      this.waiting.shift()!.resolve({ type: type!, data });
    }
  }
}

export class BareRepo {
  private readonly cat: CatFile;

  constructor(readonly dir: string) {
    this.cat = new CatFile(dir);
  }

  /** Stop the background reader. */
  close(): void {
    this.cat.close();
  }

  /** Read an object by full SHA (undefined when absent); other names go through rev-parse first. */
  async object(name: string): Promise<{ sha: string; type: string; data: Buffer } | undefined> {
    const sha = FULL_SHA.test(name) ? name : await this.resolve(name, 'any');
    if (!sha) return undefined;
    const o = await this.cat.read(sha);
    return o ? { sha, ...o } : undefined;
  }

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

  /** Write a blob as a loose object directly (what `hash-object -w` does, without a process). */
  writeBlob(content: Buffer): Promise<string> {
    return this.writeObject('blob', content);
  }

  /** Write a loose object: zlib("<type> <size>\\0<content>") at objects/xx/yyyy, via a temp file + rename. */
  async writeObject(type: 'blob' | 'tree' | 'tag' | 'commit', content: Buffer): Promise<string> {
    const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]);
    const sha = createHash('sha1').update(raw).digest('hex');
    const dir = join(this.dir, 'objects', sha.slice(0, 2));
    const file = join(dir, sha.slice(2));
    if (await stat(file).then(() => true, () => false)) return sha;
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `tmp_obj_${randomUUID()}`);
    await writeFile(tmp, deflateSync(raw), { mode: 0o444 });
    await rename(tmp, file);
    return sha;
  }

  /** The object type, or undefined when it does not exist. */
  async typeOf(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    return (await this.object(sha))?.type;
  }

  async readBlob(sha: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const o = await this.object(sha);
    return o?.type === 'blob' ? o.data : undefined;
  }

  /**
   * Resolve a sha, branch, tag, `refs/..` name or any rev-parse expression to a full object name,
   * peeled to a commit or tree when asked. Plain names are read from the ref files (in rev-parse's
   * order: refs/<n>, refs/tags/<n>, refs/heads/<n>) without starting a process.
   */
  async resolve(rev: string, peel: 'commit' | 'tree' | 'any' = 'commit'): Promise<string | undefined> {
    if (!rev || rev.startsWith('-')) return undefined;
    let sha: string | undefined;
    if (FULL_SHA.test(rev)) sha = rev;
    else if (!/[~^:?*[\\\s]|\.\.|@\{/.test(rev) && !rev.endsWith('.lock')) {
      const names = rev.startsWith('refs/') ? [rev] : [`refs/${rev}`, `refs/tags/${rev}`, `refs/heads/${rev}`, `refs/remotes/${rev}`];
      for (const n of names) {
        sha = await this.readRef(n);
        if (sha) break;
      }
      if (!sha && !/^[0-9a-f]{4,39}$/.test(rev)) return undefined;
    }
    if (!sha) {
      const spec = peel === 'any' ? rev : `${rev}^{${peel}}`;
      const r = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', spec], { allowFail: true });
      return r.code === 0 ? r.stdout.toString().trim() : undefined;
    }
    return this.peel(sha, peel);
  }

  private async peel(sha: string, to: 'commit' | 'tree' | 'any'): Promise<string | undefined> {
    let cur = sha;
    for (let depth = 0; depth < 10; depth++) {
      const o = await this.cat.read(cur);
      if (!o) return undefined;
      if (to === 'any' || o.type === to) return cur;
      const text = o.data.toString('utf8');
      if (o.type === 'tag') cur = /^object ([0-9a-f]{40})$/m.exec(text)![1]!;
      else if (o.type === 'commit' && to === 'tree') cur = /^tree ([0-9a-f]{40})$/m.exec(text)![1]!;
      else return undefined;
    }
    return undefined;
  }

  /** The SHA a ref points at, from its loose file or packed-refs (git writes both atomically). */
  async readRef(name: string): Promise<string | undefined> {
    if (!name.startsWith('refs/') || name.split('/').some((p) => p === '' || p === '.' || p === '..')) return undefined;
    const loose = await readFile(join(this.dir, name), 'utf8').catch(() => undefined);
    if (loose !== undefined) {
      const v = loose.trim();
      if (v.startsWith('ref: ')) return this.readRef(v.slice(5));
      return FULL_SHA.test(v) ? v : undefined;
    }
    return (await this.packedRefs()).get(name);
  }

  private async packedRefs(): Promise<Map<string, string>> {
    const text = await readFile(join(this.dir, 'packed-refs'), 'utf8').catch(() => '');
    const map = new Map<string, string>();
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (m) map.set(m[2]!, m[1]!);
    }
    return map;
  }

  /** Entries of a tree; recursive lists subtrees too (as GitHub's ?recursive=1 does). */
  async lsTree(tree: string, recursive: boolean): Promise<TreeEntry[]> {
    const root = await this.resolve(tree, 'tree');
    if (!root) throw new GitFail(['ls-tree', tree], 128, `not a tree object: ${tree}`);
    const out: TreeEntry[] = [];
    const walk = async (sha: string, prefix: string) => {
      const o = await this.cat.read(sha);
      if (!o || o.type !== 'tree') throw new GitFail(['ls-tree', sha], 128, `not a tree object: ${sha}`);
      const entries = parseTree(o.data);
      const sizes = await Promise.all(entries.map((e) => (e.type === 'blob' ? this.cat.read(e.sha).then((b) => b?.data.length ?? 0) : undefined)));
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const entry: TreeEntry = { path: prefix + e.name, mode: e.mode, type: e.type, sha: e.sha };
        if (e.type === 'blob') entry.size = sizes[i];
        out.push(entry);
        if (recursive && e.type === 'tree') await walk(e.sha, `${entry.path}/`);
      }
    };
    await walk(root, '');
    return out;
  }

  /**
   * Build a tree from `base` (or empty) plus changes, as POST git/trees does: a null sha deletes the path
   * (a whole directory when it names one), a tree entry replaces the directory, others set the leaf.
   */
  async buildTree(base: string | undefined, changes: { path: string; mode: string; type: string; sha: string | null }[]): Promise<string> {
    const root: DirNode = { kind: 'dir', sha: base, dirty: false };
    for (const c of changes) {
      const parts = c.path.split('/').filter(Boolean);
      if (parts.length === 0) continue;
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        const entries = await this.loadDir(dir);
        dir.dirty = true;
        let next = entries.get(part);
        // A file where a directory is needed is replaced, as git does.
        if (!next || next.kind !== 'dir') {
          next = { kind: 'dir', dirty: true, entries: new Map() };
          entries.set(part, next);
        }
        dir = next;
      }
      const entries = await this.loadDir(dir);
      dir.dirty = true;
      const name = parts[parts.length - 1]!;
      if (c.sha === null) entries.delete(name);
      else if (c.type === 'tree') entries.set(name, { kind: 'dir', sha: c.sha, dirty: false });
      else entries.set(name, { kind: 'leaf', mode: c.mode, sha: c.sha });
    }
    return (await this.writeDir(root)) ?? (await this.writeObject('tree', Buffer.alloc(0)));
  }

  private async loadDir(d: DirNode): Promise<Map<string, DirNode | LeafNode>> {
    if (d.entries) return d.entries;
    d.entries = new Map();
    if (d.sha) {
      const o = await this.cat.read(d.sha);
      if (!o || o.type !== 'tree') throw new GitFail(['read-tree', d.sha], 128, `not a tree object: ${d.sha}`);
      for (const e of parseTree(o.data)) {
        d.entries.set(e.name, e.type === 'tree' ? { kind: 'dir', sha: e.sha, dirty: false } : { kind: 'leaf', mode: e.mode, sha: e.sha });
      }
    }
    return d.entries;
  }

  /** Write a changed directory bottom-up; undefined for an empty one (git stores no empty subtrees). */
  private async writeDir(d: DirNode): Promise<string | undefined> {
    if (!d.dirty) return d.sha;
    const rows: { key: Buffer; entry: Buffer }[] = [];
    for (const [name, e] of d.entries ?? []) {
      const sha = e.kind === 'dir' ? await this.writeDir(e) : e.sha;
      if (!sha) continue;
      const mode = e.kind === 'dir' ? '40000' : e.mode.replace(/^0+/, '');
      // Git orders entries by name, comparing a directory as if its name ended in "/".
      rows.push({
        key: Buffer.from(e.kind === 'dir' ? `${name}/` : name),
        entry: Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(sha, 'hex')]),
      });
    }
    if (rows.length === 0) return undefined;
    rows.sort((a, b) => Buffer.compare(a.key, b.key));
    return this.writeObject('tree', Buffer.concat(rows.map((r) => r.entry)));
  }

  /** Write a commit object: the same bytes `git commit-tree` writes (message verbatim), without the process. */
  async commitTree(tree: string, parents: string[], message: string, author: Identity, committer: Identity): Promise<string> {
    const ident = (i: Identity) => {
      const name = stripCrud(i.name);
      const email = stripCrud(i.email);
      if (/[<>\n]/.test(name + email)) throw new GitFail(['commit-tree'], 128, `invalid ident ${i.name} <${i.email}>`);
      return `${name} <${email}> ${gitDate(i.date)}`;
    };
    const body = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${ident(author)}`, `committer ${ident(committer)}`, '', message].join('\n');
    return this.writeObject('commit', Buffer.from(body, 'utf8'));
  }

  async readCommit(sha: string): Promise<CommitObject | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const o = await this.object(sha);
    if (o?.type !== 'commit') return undefined;
    const { headers, message } = splitObject(o.data.toString('utf8'));
    return {
      sha: o.sha,
      tree: headers.find(([k]) => k === 'tree')![1],
      parents: headers.filter(([k]) => k === 'parent').map(([, v]) => v),
      author: parseIdentity(headers.find(([k]) => k === 'author')![1]),
      committer: parseIdentity(headers.find(([k]) => k === 'committer')![1]),
      message,
    };
  }

  /** Write an annotated tag object (the bytes `git mktag` would accept and store, without the process). */
  async mktag(t: { object: string; type: string; tag: string; message: string; tagger: Identity }): Promise<string> {
    if (/[\n<>]/.test(t.tagger.name + t.tagger.email) || /[\n\0]/.test(t.tag)) throw new GitFail(['mktag'], 128, 'invalid tag name or tagger');
    const body = `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${t.tagger.name} <${t.tagger.email}> ${gitDate(t.tagger.date)}\n\n${t.message}`;
    return this.writeObject('tag', Buffer.from(body, 'utf8'));
  }

  async readTag(sha: string): Promise<TagObject | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const o = await this.object(sha);
    if (o?.type !== 'tag') return undefined;
    const { headers, message } = splitObject(o.data.toString('utf8'));
    const get = (k: string) => headers.find(([h]) => h === k)?.[1];
    const tagger = get('tagger');
    return { sha: o.sha, object: get('object')!, type: get('type')!, tag: get('tag')!, tagger: tagger ? parseIdentity(tagger) : undefined, message };
  }

  /**
   * Refs whose name starts with `prefix` (`refs/tags/` or any name prefix, like `refs/tags/m@`), sorted
   * by name, with the commit an annotated tag points at. One `for-each-ref`, however many refs.
   */
  async refs(prefix = 'refs/'): Promise<RefInfo[]> {
    const raw = await this.out(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)', 'refs/']);
    const out: RefInfo[] = [];
    for (const line of raw.split('\n')) {
      if (!line) continue;
      const [ref, sha, type, peeled, peeledType] = line.split('\0') as [string, string, RefInfo['type'], string, string];
      if (!ref.startsWith(prefix)) continue;
      const info: RefInfo = { ref, sha, type };
      if (type === 'commit') info.commit = sha;
      else if (type === 'tag' && peeledType === 'commit') info.commit = peeled;
      out.push(info);
    }
    return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  async ref(name: string): Promise<RefInfo | undefined> {
    const sha = await this.readRef(name);
    if (!sha) return undefined;
    const o = await this.cat.read(sha);
    return o ? { ref: name, sha, type: o.type as RefInfo['type'] } : undefined;
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

interface DirNode {
  kind: 'dir';
  /** The tree it started from (unchanged when not dirty). */
  sha?: string;
  entries?: Map<string, DirNode | LeafNode>;
  dirty: boolean;
}

interface LeafNode {
  kind: 'leaf';
  mode: string;
  sha: string;
}

/** Git drops these from both ends of ident names and emails ("crud"). */
function stripCrud(s: string): string {
  const crud = (ch: string) => ch <= ' ' || '.,:;<>"\\\''.includes(ch);
  let a = 0;
  let b = s.length;
  while (a < b && crud(s[a]!)) a++;
  while (b > a && crud(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function parseTree(data: Buffer): { mode: string; type: TreeEntry['type']; name: string; sha: string }[] {
  const out: { mode: string; type: TreeEntry['type']; name: string; sha: string }[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(32, i);
    const nul = data.indexOf(0, sp);
    const rawMode = data.subarray(i, sp).toString('utf8');
    const name = data.subarray(sp + 1, nul).toString('utf8');
    const sha = data.subarray(nul + 1, nul + 21).toString('hex');
    i = nul + 21;
    const mode = rawMode.padStart(6, '0');
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    out.push({ mode, type, name, sha });
  }
  return out;
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
