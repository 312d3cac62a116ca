/**
 * SVG -> PNG off the main thread. resvg's rasterising is as much CPU as Vega's layout, and in a cold
 * process its WebAssembly starts slow; a worker thread (./png-worker.ts, started early, renderer loaded)
 * rasterises chart n while this thread lays out chart n + 1. Results are the same bytes as
 * ./raster.ts gives in this thread: the same code on the same input.
 *
 * Workers are used when the bundled worker (png-worker.js, next to the bundle) exists and the machine
 * has a core to spare; otherwise, and whenever a worker cannot start or dies, the work is done in this
 * thread. Idle workers are unref'd: they never keep the process alive.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PNG_SCALE, svgToPng, type Png } from './raster.js';

export interface PngJob {
  id: number;
  svg: string;
  scale: number;
}

export type PngReply =
  | { id: number; data: Uint8Array; width: number; height: number }
  /** `fatal`: the worker cannot render at all (the renderer did not load there). */
  | { id: number; error: string; fatal?: boolean };

export interface PngWorkerOptions {
  /** Worker script (default: png-worker.js next to this module, which exists only when bundled). */
  script?: string | URL;
  execArgv?: string[];
  /** Number of workers (default: one per core beyond the first, at most 3). */
  size?: number;
}

interface Pending extends PngJob {
  resolve: (png: Png) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Posted and not answered yet, by id. */
  jobs: Map<number, Pending>;
}

const WORKER_FILE = 'png-worker.js';

class PngPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  /** Set when a worker failed: everything from then on is done in this thread. */
  private broken = false;

  constructor(script: string | URL, size: number, execArgv?: string[]) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { execArgv });
      const slot: Slot = { worker, jobs: new Map() };
      worker.on('message', (reply: PngReply) => this.done(slot, reply));
      worker.on('error', () => this.fail(slot));
      worker.on('exit', () => this.fail(slot));
      // After the listeners: attaching a 'message' listener refs the worker's port again, and a pool
      // that never got a job (no plots declared) then kept the process alive for ever.
      worker.unref();
      this.slots.push(slot);
    }
  }

  /**
   * Posted at once to the worker with the fewest jobs, which queues them: this thread is usually busy
   * laying out the next chart and must not be the one to hand a worker its next job.
   */
  run(svg: string, scale: number): Promise<Png> {
    if (this.broken) return svgToPng(svg, scale);
    const slot = this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
    return new Promise<Png>((resolve, reject) => {
      const job: Pending = { id: this.nextId++, svg, scale, resolve, reject };
      slot.jobs.set(job.id, job);
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, svg, scale } satisfies PngJob);
    });
  }

  get size(): number {
    return this.broken ? 0 : this.slots.length;
  }

  async close(): Promise<void> {
    this.broken = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private done(slot: Slot, reply: PngReply): void {
    const job = slot.jobs.get(reply.id);
    if (!job) return;
    slot.jobs.delete(reply.id);
    if (!slot.jobs.size) slot.worker.unref();
    if ('data' in reply) job.resolve({ data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength), width: reply.width, height: reply.height });
    else if (reply.fatal) {
      this.fail(slot);
      this.inThread(job);
    } else job.reject(new Error(reply.error));
  }

  /** A worker errored or exited: the pool is done, and that worker's jobs are done in this thread. */
  private fail(slot: Slot): void {
    if (!this.broken) {
      this.broken = true;
      void slot.worker.terminate();
    }
    const orphans = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of orphans) this.inThread(job);
  }

  private inThread(job: Pending): void {
    svgToPng(job.svg, job.scale).then(job.resolve, job.reject);
  }
}

let pool: PngPool | null | undefined;

function defaultScript(): string | undefined {
  const file = join(dirname(fileURLToPath(import.meta.url)), WORKER_FILE);
  return existsSync(file) ? file : undefined;
}

/**
 * Start the PNG workers now, so they have loaded the renderer by the time charts come (call it
 * before loading plot data). Idempotent; without a bundled worker script or a spare core it does
 * nothing and PNGs are made in this thread.
 */
export function startPngWorkers(opts: PngWorkerOptions = {}): void {
  if (pool !== undefined) return;
  const script = opts.script ?? defaultScript();
  const size = opts.size ?? Math.min(3, availableParallelism() - 1);
  pool = null;
  if (!script || size < 1) return;
  try {
    pool = new PngPool(script, size, opts.execArgv);
  } catch {
    pool = null;
  }
}

/** Stop the workers (tests; a later startPngWorkers starts new ones). */
export async function stopPngWorkers(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/** How many workers make PNGs now (0: this thread does). */
export function pngWorkers(): number {
  return pool?.size ?? 0;
}

/** SVG text -> PNG at `scale`, in a worker when there are any. */
export function rasterize(svg: string, scale = PNG_SCALE): Promise<Png> {
  startPngWorkers();
  return pool ? pool.run(svg, scale) : svgToPng(svg, scale);
}
