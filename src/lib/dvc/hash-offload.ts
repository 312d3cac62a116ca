/**
 * md5 of large downloads off the main thread, and their cache file written from there too. While a
 * big object streams in, the main thread parses HTTP; hashing it there too (about 0.35 s of CPU per
 * 200 MB on this 2-core VM) made the pull wait on one core while the other had room. A worker thread
 * hashes instead and, given a path, writes each batch it hashes to the file.
 *
 * `Md5Sink` is a Writable: pipe the body into it. What it receives is copied once into 1 MiB batch
 * buffers, which are transferred (not cloned) to the worker and handed back for reuse; at most
 * MAX_IN_FLIGHT batches per stream are unanswered, so memory stays flat whatever the file size.
 * Writing from the worker replaced a file write stream piped next to the sink: the socket's 64 KB
 * chunks then lived until both had them, and the writes were the main thread's. Pulling the bench's
 * 20 x 10 MB took about 12% less CPU (user 0.86-0.94 s instead of 0.99-1.09 s, over tmpfs).
 *
 * The worker is a few lines of plain JavaScript run with `eval`: nothing to locate next to a bundle,
 * and it starts in tens of milliseconds. It hashes with node:crypto's md5 like ./hash.ts (the tests
 * compare both with Python's hashlib). Without a spare core, or once the worker failed, the sink
 * hashes (and writes) in this thread.
 */
import { closeSync, open, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { DvcHasher } from './hash.js';

/** Bytes per message to the worker. */
const BATCH = 1 << 20;
/** Unanswered batches per stream before the sink stops taking data. */
const MAX_IN_FLIGHT = 4;

// Messages, in order per stream: {id, data, length, fd?, pos?} (hash; write at pos when fd is given)
// -> {id, data} (the buffer handed back for reuse), or {id, data, error} when the write failed (the
// stream's later batches are then neither written nor hashed); {id, end: true} -> {id, md5}, or {id,
// settled: true} after a failed write; {id, drop: true} -> {id, settled: true}. A stream's final
// reply comes after every ack of its batches: once it arrives, nothing more is written to its file.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { writeSync } = require('node:fs');
const hashes = new Map();
const failed = new Set();
parentPort.on('message', (m) => {
  if (m.drop || (m.end && failed.has(m.id))) {
    hashes.delete(m.id);
    failed.delete(m.id);
    return void parentPort.postMessage({ id: m.id, settled: true });
  }
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash('md5')));
  if (m.data) {
    const bytes = new Uint8Array(m.data, 0, m.length);
    let error;
    if (!failed.has(m.id)) {
      try {
        if (m.fd !== undefined) for (let at = 0; at < m.length; ) at += writeSync(m.fd, bytes, at, m.length - at, m.pos + at);
        h.update(bytes);
      } catch (e) {
        failed.add(m.id);
        error = { message: e.message, code: e.code, syscall: e.syscall };
      }
    }
    parentPort.postMessage({ id: m.id, data: m.data, error }, [m.data]);
  }
  if (m.end) {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, md5: h.digest('hex') });
  }
});
`;

interface Reply {
  id: number;
  data?: ArrayBuffer;
  error?: { message: string; code?: string; syscall?: string };
  md5?: string;
  settled?: boolean;
}

interface Waiter {
  onAck: (buffer: ArrayBuffer, error?: Error) => void;
  onDigest: (md5: string) => void;
  /** The stream's last reply (digest or settled): the worker is done with it. */
  onSettled: () => void;
  /** The worker died: nothing of this stream will be answered or written any more. */
  onError: (e: Error) => void;
}

class HashWorker {
  private readonly worker: Worker;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 0;
  failed: Error | undefined;

  constructor() {
    // No inherited node flags: the source is a CommonJS script whatever this process was started with
    // (e.g. --input-type=module would make it an ES module, where `require` does not exist).
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    this.worker.on('message', (r: Reply) => {
      const w = this.waiters.get(r.id);
      if (r.data) w?.onAck(r.data, r.error && Object.assign(new Error(r.error.message), r.error));
      if (r.md5 !== undefined || r.settled) {
        this.waiters.delete(r.id);
        if (r.md5 !== undefined) w?.onDigest(r.md5);
        w?.onSettled();
      }
      this.refIfBusy();
    });
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiters.values()) w.onError(this.failed);
      this.waiters.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`md5 worker exited with code ${code}`)));
    // After the listeners (a 'message' listener refs the port again): idle, it never holds the process.
    this.worker.unref();
  }

  open(w: Waiter): number {
    const id = this.nextId++;
    this.waiters.set(id, w);
    this.refIfBusy();
    return id;
  }

  send(id: number, data: ArrayBuffer, length: number, fd?: number, pos?: number): void {
    this.worker.postMessage({ id, data, length, fd, pos }, [data]);
  }

  end(id: number): void {
    this.worker.postMessage({ id, end: true });
  }

  /** Forget a stream; its waiter still gets the acks of batches in flight, then onSettled. */
  drop(id: number): void {
    if (!this.failed) this.worker.postMessage({ id, drop: true });
  }

  /** Keep the process alive exactly while some stream waits for an answer. */
  private refIfBusy(): void {
    if (this.waiters.size) this.worker.ref();
    else this.worker.unref();
  }
}

let shared: HashWorker | null | undefined;

function hashWorker(): HashWorker | null {
  if (shared === undefined) {
    try {
      shared = availableParallelism() > 1 ? new HashWorker() : null;
    } catch {
      shared = null;
    }
  }
  if (shared?.failed) shared = null;
  return shared;
}

/**
 * A Writable that md5-hashes what is written to it (plain md5: DVC 3.x outs) and counts the bytes;
 * given a `path`, it also writes them there (created or truncated). `digest()` resolves after the
 * stream finished. Destroy it to give up. Call `close()` when done either way: it closes the file once
 * no write of it can still be running.
 */
export class Md5Sink extends Writable {
  bytes = 0;
  private readonly worker: HashWorker | null;
  private readonly path: string | undefined;
  private fd: number | undefined;
  /** File offset of the next batch. */
  private written = 0;
  private id = -1;
  private local: DvcHasher | undefined;
  private inFlight = 0;
  /** Batch buffers back from the worker, reused: fresh 1 MiB buffers cost page faults and GC. */
  private readonly spare: ArrayBuffer[] = [];
  private batch: Uint8Array | undefined;
  private filled = 0;
  private resume: (() => void) | undefined;
  private result: Promise<string> | undefined;
  private settle: { resolve: (md5: string) => void; reject: (e: Error) => void } | undefined;
  /** Resolves when the worker is done with this stream (or it runs in this thread). */
  private readonly settled: Promise<void>;
  private fileClosed: Promise<void> | undefined;

  /** `inThread`: hash (and write) here even when the worker is available. */
  constructor(opts: { inThread?: boolean; path?: string } = {}) {
    super({ highWaterMark: BATCH, decodeStrings: false });
    this.path = opts.path;
    this.worker = opts.inThread ? null : hashWorker();
    if (!this.worker) {
      this.local = new DvcHasher('md5');
      this.settled = Promise.resolve();
      return;
    }
    let settledNow!: () => void;
    this.settled = new Promise<void>((resolve) => (settledNow = resolve));
    this.id = this.worker.open({
      onAck: (buffer, error) => {
        this.inFlight--;
        this.spare.push(buffer);
        if (error) return this.fail(error);
        // A chunk larger than a batch can have put more than the limit in flight: wait for all of it.
        if (this.inFlight >= MAX_IN_FLIGHT) return;
        const go = this.resume;
        this.resume = undefined;
        go?.();
      },
      onDigest: (md5) => this.settle?.resolve(md5),
      onSettled: () => settledNow(),
      onError: (e) => {
        settledNow();
        this.fail(e);
      },
    });
  }

  /** Whoever waits, on the stream or on digest(), gets `e`. */
  private fail(e: Error): void {
    this.settle?.reject(e);
    this.destroy(e);
  }

  override _construct(cb: (e?: Error | null) => void): void {
    if (this.path === undefined) return cb();
    open(this.path, 'w', (e, fd) => {
      if (!e) this.fd = fd;
      cb(e);
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.local) {
      // This thread's fallback (one core, or the worker failed): plain blocking writes, so that no
      // write can still be running when the file is closed.
      try {
        if (this.fd !== undefined) writeAll(this.fd, chunk, this.written);
      } catch (e) {
        cb(e as Error);
        return;
      }
      this.written += chunk.length;
      this.local.update(chunk);
      cb();
      return;
    }
    // Copied into a batch buffer of our own, which is sent (transferred, not cloned) once full: one
    // message per MiB, whatever size the socket's chunks are.
    let from = 0;
    while (from < chunk.length) {
      this.batch ??= new Uint8Array(this.spare.pop() ?? new ArrayBuffer(BATCH));
      const n = Math.min(chunk.length - from, BATCH - this.filled);
      this.batch.set(chunk.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      if (this.filled === BATCH) this.flush();
    }
    if (this.inFlight < MAX_IN_FLIGHT) cb();
    else this.resume = () => cb();
  }

  private flush(): void {
    if (!this.batch || !this.filled) return;
    this.inFlight++;
    this.worker!.send(this.id, this.batch.buffer as ArrayBuffer, this.filled, this.fd, this.written);
    this.written += this.filled;
    this.batch = undefined;
    this.filled = 0;
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.local) {
      const md5 = this.local.digest();
      this.result = Promise.resolve(md5);
      cb();
      return;
    }
    this.result = new Promise<string>((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may be awaiting digest() yet; a failure still reaches the caller through it.
    this.result.catch(() => {});
    this.flush();
    this.worker!.end(this.id);
    cb();
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (this.worker && !this.result) this.worker.drop(this.id);
    cb(e);
  }

  /** The hex md5 of everything written; call after the stream finished. */
  digest(): Promise<string> {
    if (!this.result) return Promise.reject(new Error('md5 sink: digest() before the stream finished'));
    return this.result;
  }

  /**
   * Close the file (if any) once the worker can no longer write to it: closing earlier could let a
   * late write land in whatever file the process opens next under the same descriptor number.
   * Destroys the stream if it is still open. Idempotent.
   */
  close(): Promise<void> {
    if (!this.fileClosed) {
      if (!this.writableFinished) this.destroy();
      this.fileClosed = this.settled.then(() => {
        const fd = this.fd;
        this.fd = undefined;
        if (fd !== undefined) closeSync(fd);
      });
    }
    return this.fileClosed;
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at, position + at);
}
