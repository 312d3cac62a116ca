/**
 * Worker thread entry of ./png-pool.ts: SVG -> PNG with ./raster.ts, one job at a time. Bundled on its
 * own (scripts/build.mjs writes it as png-worker.js next to a bundle that carries the renderer), so it
 * loads resvg and nothing of Vega.
 *
 * It loads the renderer on start and waits. It used to render a small chart once to warm up; with
 * WebAssembly kept in V8's baseline tier (see ./raster.ts) that no longer paid: without it a cold
 * `mlops plots` of the bench took 0.17-0.25 s less CPU and no more wall time (three rounds of 8-10
 * interleaved runs).
 */
import { parentPort } from 'node:worker_threads';
import { initRenderer, svgToPng } from './raster.js';
import type { PngJob, PngReply } from './png-pool.js';

const port = parentPort!;
// This thread runs nothing else, so the renderer may hide fetch's globals while it loads.
const ready = initRenderer({ hideFetchGlobals: true });

port.on('message', (job: PngJob) => {
  void ready.then(
    () =>
      svgToPng(job.svg, job.scale).then(
        (png): PngReply => ({ id: job.id, data: png.data, width: png.width, height: png.height }),
        (e: unknown): PngReply => ({ id: job.id, error: e instanceof Error ? e.message : String(e) }),
      ),
    // The renderer itself did not load here: the pool redoes the work in its own thread.
    (e: unknown): PngReply => ({ id: job.id, error: e instanceof Error ? e.message : String(e), fatal: true }),
  ).then((reply) => port.postMessage(reply));
});
