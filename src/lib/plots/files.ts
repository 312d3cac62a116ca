/** File names for rendered plots, shared by the asset branch, `--out` directories and artifacts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RenderedPlot } from './index.js';

export interface PlotFile {
  /** Relative path (one segment, no directories). */
  name: string;
  content: Buffer | string;
  /** Which rendered plot and what role the file plays. */
  plotId: string;
  role: 'png' | 'svg' | 'image';
  rev?: string;
}

/** A file-name-safe form of a plot id: `eval/plots/roc.json` -> `eval-plots-roc`. */
export function slug(id: string): string {
  const s = id
    .replace(/\.(json|ya?ml|csv|tsv|png|jpe?g|gif|svg)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  return s.slice(0, 120) || 'plot';
}

/**
 * Every file of a report: `<slug>.png` + `<slug>.svg` per chart, `<slug>-<rev>.<ext>` per image (an SVG
 * image also as `<slug>-<rev>.png`, role 'image', with the original as role 'svg').
 */
export function plotFiles(rendered: RenderedPlot[]): PlotFile[] {
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  };
  const files: PlotFile[] = [];
  for (const p of rendered) {
    const base = unique(slug(p.id));
    if (p.png) files.push({ name: `${base}.png`, content: p.png, plotId: p.id, role: 'png' });
    if (p.svg) files.push({ name: `${base}.svg`, content: p.svg, plotId: p.id, role: 'svg' });
    for (const img of p.images) {
      const ext = img.path.slice(img.path.lastIndexOf('.')).toLowerCase();
      const name = `${base}-${slug(img.rev)}`;
      if (img.png) {
        files.push({ name: `${name}.png`, content: img.png, plotId: p.id, role: 'image', rev: img.rev });
        files.push({ name: `${name}${ext}`, content: img.data, plotId: p.id, role: 'svg', rev: img.rev });
      } else files.push({ name: `${name}${ext}`, content: img.data, plotId: p.id, role: 'image', rev: img.rev });
    }
  }
  return files;
}

/** Write the report's files under `dir` (for upload-artifact or `mlops plots --out`). Returns paths. */
export function writePlotFiles(dir: string, files: PlotFile[]): string[] {
  return files.map((f) => {
    const path = join(dir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    return path;
  });
}
