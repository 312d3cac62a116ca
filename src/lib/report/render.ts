/**
 * A report is a title plus an ordered list of sections; each section is a list of blocks (tables,
 * text, raw markdown/HTML pairs). One model renders to GitHub markdown (PR comment, job summary,
 * report.md) and to a standalone HTML page (report.html). Modules that add content — plots, for one —
 * build a section and append it; they never touch the renderers.
 */
import { markdownTable } from 'markdown-table';

export type Block =
  | { kind: 'table'; header: string[]; rows: string[][]; align?: ('l' | 'r' | 'c')[]; /** Fold into <details> above this many rows. */ foldAbove?: number }
  /** Markdown with inline marks only (**bold**, `code`, [links](url)); the HTML renderer converts those. */
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  /** Content with its own HTML form, e.g. an image link in markdown and an inline SVG in HTML. */
  | { kind: 'raw'; markdown: string; html: string };

export interface ReportSection {
  /** Stable id (`gate`, `metrics-base`, `params`, `plots`...), used as the HTML anchor. */
  id: string;
  /** Heading; omitted for the header/footer lines. */
  title?: string;
  blocks: Block[];
}

export interface Report {
  title: string;
  sections: ReportSection[];
}

/**
 * Cell text comes from files in the PR (metric names, string values): keep it inside its cell, show
 * HTML as text, and do not let `@name` notify anyone.
 */
const escapeCell = (s: string) =>
  s
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b');

function blockMarkdown(b: Block): string {
  switch (b.kind) {
    case 'table': {
      const table = markdownTable([b.header.map(escapeCell), ...b.rows.map((r) => r.map(escapeCell))], {
        align: b.align,
        alignDelimiters: false,
      });
      if (b.foldAbove !== undefined && b.rows.length > b.foldAbove) {
        return `<details><summary>${b.rows.length} rows</summary>\n\n${table}\n\n</details>`;
      }
      return table;
    }
    case 'text':
      return b.text;
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'raw':
      return b.markdown;
  }
}

export function renderMarkdown(report: Report): string {
  const parts = [`## ${report.title}`];
  for (const s of report.sections) {
    if (s.title) parts.push(`### ${s.title}`);
    for (const b of s.blocks) parts.push(blockMarkdown(b));
  }
  return `${parts.join('\n\n')}\n`;
}

// ---- HTML ------------------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The inline markdown our text blocks use -> HTML (escaped first, so no markup passes through). */
export function inlineHtml(md: string): string {
  return escapeHtml(md)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\n/g, '<br>\n');
}

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'table': {
      const align = (i: number) => ({ l: 'left', r: 'right', c: 'center' })[b.align?.[i] ?? 'l'];
      const head = b.header.map((h, i) => `<th style="text-align:${align(i)}">${inlineHtml(h)}</th>`).join('');
      const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td style="text-align:${align(i)}">${inlineHtml(c)}</td>`).join('')}</tr>`).join('\n');
      return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    }
    case 'text':
      return `<p>${inlineHtml(b.text)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('\n')}\n</ul>`;
    case 'raw':
      return b.html;
  }
}

export function renderHtml(report: Report): string {
  const body = report.sections
    .map((s) => `<section id="${escapeHtml(s.id)}">\n${s.title ? `<h3>${inlineHtml(s.title)}</h3>\n` : ''}${s.blocks.map(blockHtml).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; }
code { background: #f6f8fa; padding: 0 4px; border-radius: 4px; }
section { margin-bottom: 1.5em; }
svg, img { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h2>${escapeHtml(report.title)}</h2>
${body}
</body>
</html>
`;
}
