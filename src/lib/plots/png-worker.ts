/**
 * Worker thread entry of ./png-pool.ts: SVG -> PNG with ./raster.ts, one job at a time. Bundled on its
 * own (scripts/build.mjs writes it as png-worker.js next to a bundle that carries the renderer), so it
 * loads resvg and nothing of Vega.
 *
 * On start it renders a small chart-like SVG once: a cold process runs resvg's WebAssembly in
 * V8's baseline tier, several times slower than once the hot functions are optimised, and the pool is
 * started early (while the main thread loads data and runs Vega), so the first real chart finds the
 * renderer warm.
 */
import { parentPort } from 'node:worker_threads';
import { initRenderer, svgToPng } from './raster.js';
import type { PngJob, PngReply } from './png-pool.js';

/** Text in the sizes and weights charts use, axis rules, a long polyline, a translucent band, points. */
function warmUpSvg(): string {
  const line: string[] = [];
  const band: string[] = [];
  for (let i = 0; i <= 400; i++) {
    const x = (i * 0.75).toFixed(2);
    line.push(`${i ? 'L' : 'M'}${x},${(150 - 120 * Math.exp(-i / 120) + 8 * Math.sin(i)).toFixed(2)}`);
    band.push(`${i ? 'L' : 'M'}${x},${(140 - 110 * Math.exp(-i / 120)).toFixed(2)}`);
  }
  const points = Array.from({ length: 150 }, (_, i) => {
    const [x, y] = [(i * 37) % 300, (i * 53) % 300];
    return `<path transform="translate(${x},${y})" d="M2.74,0A2.74,2.74,0,1,1,-2.74,0A2.74,2.74,0,1,1,2.74,0" stroke="#945dd6" stroke-width="2" opacity="0.7"/>`;
  });
  const text = (x: number, y: number, size: number, s: string, extra = '') =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="${size}px" fill="#000" ${extra}>${s}</text>`;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="340" viewBox="0 0 360 340"><rect width="360" height="340" fill="white"/>',
    '<g fill="none" transform="translate(40,20)">',
    ...Array.from({ length: 11 }, (_, i) => `<line transform="translate(${i * 30},0)" x2="0" y2="300" stroke="#ddd" stroke-width="1" opacity="1"/>`),
    `<path d="${band.join('')}L300,300L0,300Z" fill="#13adc7" fill-opacity="0.2" stroke="none"/>`,
    `<path d="${line.join('')}" stroke="#13adc7" stroke-width="2" opacity="0.2"/>`,
    `<path d="${line.join('')}" stroke="#945dd6" stroke-width="2" stroke-dasharray="8,4"/>`,
    ...points,
    text(0, 315, 10, '0.0 0.2 0.4 1,000 8,000'),
    text(120, 330, 11, 'step loss', 'font-weight="bold"'),
    text(150, -5, 13, 'val_loss.tsv workspace'),
    text(0, 0, 11, 'acc', 'transform="translate(-30,150) rotate(-90)" font-weight="bold"'),
    '</g></svg>',
  ].join('');
}

const port = parentPort!;
// This thread runs nothing else, so the renderer may hide fetch's globals while it loads.
const ready = initRenderer({ hideFetchGlobals: true }).then(async () => {
  await svgToPng(warmUpSvg());
});

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
