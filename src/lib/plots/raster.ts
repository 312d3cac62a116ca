/**
 * SVG -> PNG with resvg compiled to WebAssembly, so one bundle renders on every runner OS. Used in the
 * main thread (./render.ts) and in the PNG workers (./png-worker.ts), which is why it imports nothing
 * of Vega: the worker bundle stays small.
 *
 * resvg has no system fonts to rely on on a runner, so DejaVu Sans is loaded from a file and passed as
 * a font buffer. Both that font and resvg's .wasm are located with `new URL(<path>, import.meta.url)`
 * read by `readFileSync`: run from source (tsx / vitest) the URL points into node_modules; bundled, ncc's
 * asset relocator sees the same expression, copies the file next to the bundle and rewrites the URL to
 * that copy. The createRequire fallback covers other layouts (node_modules hoisted elsewhere).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { encodeOpaquePng } from './png.js';

/** PNG pixels per SVG pixel: crisp on high-density screens, still small files. */
export const PNG_SCALE = 2;
export const FONT_FAMILY = 'DejaVu Sans';

// Each path must stay a literal `readFileSync(new URL(<literal>, import.meta.url))` expression: that is
// the form ncc's asset relocator rewrites (any other use of `new URL` becomes a webpack asset module,
// which ncc emits corrupted for binary files).
function readWasm(): Buffer {
  try {
    return readFileSync(new URL('../../../node_modules/@resvg/resvg-wasm/index_bg.wasm', import.meta.url));
  } catch {
    return readFileSync(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'));
  }
}

function readFont(): Buffer {
  try {
    return readFileSync(new URL('../../../node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf', import.meta.url));
  } catch {
    return readFileSync(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
  }
}

let wasmReady: Promise<void> | undefined;
let font: Buffer | undefined;

/**
 * Load the wasm module and the font once per thread.
 *
 * Before compiling, V8 is told to keep WebAssembly in its baseline tier (Liftoff). By default V8
 * recompiles hot wasm functions with its optimising compiler in background threads; for resvg that
 * recompilation costs more CPU than a report's worth of charts gains from it (measured: five charts
 * in a cold process 0.75 s of CPU instead of 2.2 s, and less wall time too, on 2 cores). The flag is
 * process-wide and only about WebAssembly: JavaScript still gets optimised.
 */
export function initRenderer(opts: { hideFetchGlobals?: boolean } = {}): Promise<void> {
  // Not `??=`: the asset relocator's parser rejects logical assignment and then silently skips this
  // whole file, leaving the wasm to webpack's asset modules (emitted corrupted).
  if (!wasmReady) wasmReady = (async () => {
    setFlagsFromString('--liftoff-only');
    font = readFont();
    if (!opts.hideFetchGlobals) return initWasm(readWasm());
    const restore = hideGlobals(['Request', 'Response']);
    try {
      await initWasm(readWasm());
    } finally {
      restore();
    }
  })();
  return wasmReady;
}

/**
 * wasm-bindgen's loader asks `typeof Request` and `typeof Response` (for a fetch()ed module), and in
 * Node the first look at either loads the whole fetch implementation (~70 ms of a cold start). A
 * thread that runs nothing else meanwhile (the PNG worker) hides them while the loader runs.
 */
function hideGlobals(names: string[]): () => void {
  const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  for (const [name] of saved) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
  return () => {
    for (const [name, d] of saved) {
      if (d) Object.defineProperty(globalThis, name, d);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  };
}

export interface Png {
  data: Buffer;
  width: number;
  height: number;
}

/** SVG text -> PNG at PNG_SCALE, white background, text in DejaVu Sans. */
export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Png> {
  await initRenderer();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontBuffers: [font!],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
  });
  try {
    const img = resvg.render();
    try {
      return { data: encodeOpaquePng(img.pixels, img.width, img.height), width: img.width, height: img.height };
    } finally {
      img.free();
    }
  } finally {
    resvg.free();
  }
}
