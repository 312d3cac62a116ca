/**
 * md5 of large downloads off the main thread. While a big object streams in, the main thread parses
 * HTTP and feeds the file writes; hashing it there too (about 0.35 s of CPU per 200 MB on this 2-core VM)
 * made the pull wait on one core while the other had room. A worker thread hashes instead.
 *
 * `Md5Sink` is a Writable: pipe the body into it next to the file it is written to, and the slower of
 * the two paces the socket. What it receives is copied once into 1 MiB batch buffers, which are
 * transferred (not cloned) to the worker and handed back for reuse; at most MAX_IN_FLIGHT batches per
 * stream are unanswered, so memory stays flat whatever the file size.
 *
 * The worker is a few lines of plain JavaScript run with `eval`: nothing to locate next to a bundle,
 * and it starts in tens of milliseconds. It hashes with node:crypto's md5 like ./hash.ts (the tests
 * compare both with Python's hashlib). Without a spare core, or once the worker failed, the sink
 * hashes in this thread with ./hash.ts's DvcHasher.
 */
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { DvcHasher } from './hash.js';

/** Bytes per message to the worker. */
const BATCH = 1 << 20;
/** Unanswered batches per stream before the sink stops taking data. */
const MAX_IN_FLIGHT = 4;

// Messages: {id, data, length} -> {id, data} (the buffer handed back for reuse); {id, end: true} ->
// {id, md5}; {id, drop: true} (no reply).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  let h = hashes.get(m.id);
  if (m.drop) return void hashes.delete(m.id);
  if (!h) hashes.set(m.id, (h = createHash('md5')));
  if (m.data) {
    h.update(new Uint8Array(m.data, 0, m.length));
    parentPort.postMessage({ id: m.id, data: m.data }, [m.data]);
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
  md5?: string;
}

interface Waiter {
  onAck: (buffer: ArrayBuffer) => void;
  onDigest: (md5: string) => void;
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
      if (r.data) w?.onAck(r.data);
      if (r.md5 !== undefined) {
        this.waiters.delete(r.id);
        w?.onDigest(r.md5);
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

  send(id: number, data: ArrayBuffer, length: number): void {
    this.worker.postMessage({ id, data, length }, [data]);
  }

  end(id: number): void {
    this.worker.postMessage({ id, end: true });
  }

  drop(id: number): void {
    this.waiters.delete(id);
    this.refIfBusy();
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
 * A Writable that md5-hashes what is written to it (plain md5: DVC 3.x outs) and counts the bytes.
 * `digest()` resolves after the stream finished. Destroy it to give up (the worker forgets the stream).
 */
export class Md5Sink extends Writable {
  bytes = 0;
  private readonly worker: HashWorker | null;
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

  /** `inThread`: hash here even when the worker is available. */
  constructor(opts: { inThread?: boolean } = {}) {
    super({ highWaterMark: BATCH, decodeStrings: false });
    this.worker = opts.inThread ? null : hashWorker();
    if (!this.worker) {
      this.local = new DvcHasher('md5');
      return;
    }
    this.id = this.worker.open({
      onAck: (buffer) => {
        this.inFlight--;
        this.spare.push(buffer);
        // A chunk larger than a batch can have put more than the limit in flight: wait for all of it.
        if (this.inFlight >= MAX_IN_FLIGHT) return;
        const go = this.resume;
        this.resume = undefined;
        go?.();
      },
      onDigest: (md5) => this.settle?.resolve(md5),
      onError: (e) => {
        this.settle?.reject(e);
        this.destroy(e);
      },
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.bytes += chunk.length;
    if (this.local) {
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
    this.worker!.send(this.id, this.batch.buffer as ArrayBuffer, this.filled);
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
}
