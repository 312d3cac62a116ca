/**
 * A self-contained HTML fragment of rendered plots: inline SVG for charts (crisp, selectable text, no
 * external files) and data: URIs for passed-through images, for the report file and the demo page.
 */
import type { RenderedPlot } from './index.js';
import { describeProblem } from './index.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function plotsHtml(rendered: RenderedPlot[]): string {
  const parts = rendered.map((p) => {
    const body: string[] = [];
    if (p.svg) body.push(`<div class="plot-svg">${p.svg}</div>`);
    for (const img of p.images) {
      body.push(
        `<figure class="plot-image"><img alt="${esc(`${p.title} (${img.rev})`)}" src="data:${img.mime};base64,${img.data.toString('base64')}"><figcaption>${esc(img.rev)}</figcaption></figure>`,
      );
    }
    const notes = p.notes.map((n) => `<li>${esc(n)}</li>`).join('');
    const problems = p.problems.map((q) => `<li class="plot-problem">${esc(describeProblem(q))}</li>`).join('');
    return [
      `<section class="plot" id="plot-${esc(p.id.replace(/[^A-Za-z0-9_-]+/g, '-'))}">`,
      `<h3>${esc(p.title)}</h3>`,
      ...body,
      notes || problems ? `<ul class="plot-notes">${problems}${notes}</ul>` : '',
      '</section>',
    ].join('\n');
  });
  return `<div class="plots">\n${parts.join('\n')}\n</div>`;
}
