/**
 * Image layers from local paths as deterministic tar+gzip: entries sorted by path, mtime 0, uid/gid 0,
 * no user names, modes normalised (0755 for directories and executables, 0644 otherwise), and a gzip
 * header without time or file name. Same files in -> same bytes out -> same digest, on any machine.
 * Layers are streamed to a file while both digests (diff_id of the tar, digest of the gzip) are
 * computed, so no layer is ever held in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { UserError } from '../errors.js';

export interface AddSpec {
  /** Local path as given (file or folder), relative to the working directory or absolute. */
  src: string;
  /** Absolute POSIX path in the image. A folder's contents land under it; a file lands at it. */
  dest: string;
  /** The spec as the user wrote it, for history and errors. */
  text: string;
}

export interface BuiltLayer {
  file: string;
  /** sha256 of the gzip bytes (the blob digest). */
  digest: string;
  /** sha256 of the uncompressed tar (rootfs.diff_ids). */
  diffId: string;
  size: number;
  spec: AddSpec;
  entries: number;
}

/**
 * `src[:dest]`. Without dest a relative src keeps its path under `/` (`app` -> `/app`); an absolute
 * src or one outside the working directory lands at `/<basename>`. A dest ending in `/` receives a
 * file under its own name.
 */
export function parseAddSpec(text: string, field = 'add'): AddSpec {
  const t = text.trim();
  const from = /^[A-Za-z]:[\\/]/.test(t) ? 2 : 0; // a Windows drive letter is not a separator
  const i = t.indexOf(':', from);
  const src = i >= 0 ? t.slice(0, i) : t;
  let dest = i >= 0 ? t.slice(i + 1) : '';
  if (!src) throw new UserError(`"${text}": empty source path (expected <src>[:<dest>])`, { field });
  if (!dest) {
    const rel = src.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
    dest = isAbsolute(src) || rel.startsWith('../') || rel === '..' || rel === '.' || rel === '' ? `/${basename(resolve(src))}` : `/${rel}`;
    if (rel === '.' || rel === '') dest = '/';
  }
  if (!dest.startsWith('/')) dest = `/${dest}`;
  const norm = posix.normalize(dest);
  if (dest.split('/').includes('..')) throw new UserError(`"${text}": destination must stay inside the image root`, { field });
  return { src, dest: dest.endsWith('/') && norm !== '/' ? `${norm.replace(/\/$/, '')}/` : norm, text: t };
}

interface Entry {
  /** Path in the tar: no leading slash, directories end with `/`. */
  name: string;
  type: 'file' | 'directory';
  mode: number;
  size: number;
  /** Local file to stream (files only). */
  from?: string;
}

/** Every entry for one spec: parent directories of dest, then the tree, symlinks followed. */
async function collect(spec: AddSpec, cwd: string): Promise<Entry[]> {
  const root = resolve(cwd, spec.src);
  let st;
  try {
    st = await stat(root);
  } catch {
    throw new UserError(`${spec.src}: no such file or folder to add to the image (from "${spec.text}")`, { file: spec.src, field: 'add' });
  }
  const out = new Map<string, Entry>();
  const dirEntry = (name: string) => out.set(name, { name, type: 'directory', mode: 0o755, size: 0 });
  const fileEntry = (name: string, from: string, mode: number, size: number) =>
    out.set(name, { name, type: 'file', mode: mode & 0o111 ? 0o755 : 0o644, size, from });

  let target = spec.dest;
  if (st.isFile() && target.endsWith('/')) target += basename(root);
  const inTar = target.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = inTar ? inTar.split('/') : [];
  const parentCount = st.isDirectory() ? parts.length : parts.length - 1;
  for (let k = 1; k <= parentCount; k++) dirEntry(`${parts.slice(0, k).join('/')}/`);

  if (st.isFile()) {
    fileEntry(inTar, root, st.mode, st.size);
  } else if (st.isDirectory()) {
    const seen = new Set<string>([await realpath(root)]);
    const walk = async (dir: string, prefix: string) => {
      const names = (await readdir(dir)).sort();
      for (const name of names) {
        const full = join(dir, name);
        const lst = await lstat(full);
        let s = lst;
        if (lst.isSymbolicLink()) {
          try {
            s = await stat(full);
          } catch {
            throw new UserError(`${relative(cwd, full) || full}: broken symbolic link inside "${spec.src}"`, { file: relative(cwd, full), field: 'add' });
          }
        }
        const tarName = `${prefix}${name}`;
        if (s.isDirectory()) {
          const real = await realpath(full);
          if (seen.has(real)) throw new UserError(`${relative(cwd, full)}: symbolic link loop inside "${spec.src}"`, { field: 'add' });
          seen.add(real);
          dirEntry(`${tarName}/`);
          await walk(full, `${tarName}/`);
          seen.delete(real);
        } else if (s.isFile()) {
          fileEntry(tarName, full, s.mode, s.size);
        }
        // sockets, fifos and devices have no place in an image layer: skipped
      }
    };
    await walk(root, inTar ? `${inTar}/` : '');
  } else {
    throw new UserError(`${spec.src}: not a regular file or folder`, { field: 'add' });
  }
  // Byte-wise order, independent of locale and file system.
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function hashing(hash: ReturnType<typeof createHash>, counter?: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      if (counter) counter.n += chunk.length;
      cb(null, chunk);
    },
  });
}

/** zlib writes the OS of the build machine in byte 9 of the header; pin it to Unix so every OS agrees. */
function pinGzipHeader(): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (seen <= 9 && seen + chunk.length > 9) {
        chunk = Buffer.from(chunk);
        chunk[9 - seen] = 3;
      }
      seen += chunk.length;
      cb(null, chunk);
    },
  });
}

async function writeEntries(pack: tar.Pack, entries: Entry[]): Promise<void> {
  const base = { uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) };
  for (const e of entries) {
    if (e.type === 'directory') {
      await new Promise<void>((res, rej) => pack.entry({ ...base, name: e.name, type: 'directory', mode: e.mode }, (err) => (err ? rej(err) : res())));
      continue;
    }
    await new Promise<void>((res, rej) => {
      const sink = pack.entry({ ...base, name: e.name, type: 'file', mode: e.mode, size: e.size }, (err) => (err ? rej(err) : res()));
      const src = createReadStream(e.from!, { highWaterMark: 1024 * 1024 });
      src.on('error', (err) => {
        sink.destroy(err);
        rej(err);
      });
      src.pipe(sink as unknown as NodeJS.WritableStream);
    });
  }
  pack.finalize();
}

/** Build one layer for `spec` into `file`. */
export async function buildLayer(spec: AddSpec, cwd: string, file: string): Promise<BuiltLayer> {
  const entries = await collect(spec, cwd);
  const pack = tar.pack();
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  const size = { n: 0 };
  const producing = writeEntries(pack, entries).catch((e: unknown) => {
    pack.destroy(e as Error);
    throw e;
  });
  await Promise.all([
    producing,
    pipeline(pack, hashing(diff), createGzip({ level: 6 }), pinGzipHeader(), hashing(blob, size), createWriteStream(file)),
  ]);
  return { file, digest: `sha256:${blob.digest('hex')}`, diffId: `sha256:${diff.digest('hex')}`, size: size.n, spec, entries: entries.length };
}

