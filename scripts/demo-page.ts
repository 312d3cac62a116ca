/** demo-out/index.html: every pull request of the demo as a reviewer sees it, and the final state. */
import type { DemoResult } from '../test/e2e/lifecycle.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The body of a report.html (inline SVG plots and all), to embed in the index page. */
function reportBody(html: string): string {
  const m = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return m ? m[1]! : html;
}

export function indexHtml(r: DemoResult): string {
  const rows = r.timeline
    .map((t) => `<tr><td>${esc(t.step)}</td><td>${esc(t.result)}</td><td>${esc(t.version ?? '')}</td><td><code>${esc(t.digest?.slice(0, 19) ?? '')}</code></td><td>${t.ms}</td></tr>`)
    .join('\n');
  const prs = r.prs
    .map((p) => {
      const statuses = p.statuses.map((s) => `<span class="status ${esc(s.state)}">${esc(s.context)}: ${esc(s.state)} — ${esc(s.description ?? '')}</span>`).join(' ');
      const reports = p.reports.map((h) => `<div class="report">${reportBody(h)}</div>`).join('\n');
      const body = p.body ? `<h4>Pull request description</h4><pre class="md">${esc(p.body)}</pre>` : '';
      const comments = p.comments
        .filter((c) => !c.includes('mlops-actions:report:'))
        .map((c) => `<pre class="md comment">${esc(c)}</pre>`)
        .join('\n');
      return `<section class="pr" id="pr-${p.number}">
<h2>#${p.number} ${esc(p.title)} <small>${esc(p.head)} → ${esc(p.base)} · ${esc(p.state)}</small></h2>
<p>${statuses || '<span class="status">no status</span>'}</p>
${reports}
${body}
${comments ? `<h4>Comments</h4>${comments}` : ''}
</section>`;
    })
    .join('\n');
  const stages = Object.entries(r.show.artifacts)
    .map(([name, a]) => `<tr><td>${esc(name)}</td><td>${esc(a.versions.join(', '))}</td><td>${esc(Object.entries(a.stages).map(([s, v]) => `${s}: ${v}`).join(', '))}</td></tr>`)
    .join('\n');
  const envs = Object.entries(r.envFiles)
    .map(([env, text]) => `<h4>${esc(env)}</h4><pre>${esc(text)}</pre>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlops-actions demo</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
.pr{border:1px solid #d0d7de;border-radius:6px;padding:1em;margin:1.5em 0}
.status{display:inline-block;padding:2px 8px;border-radius:12px;background:#eee;margin:2px}
.status.success{background:#dafbe1}.status.failure{background:#ffebe9}
pre.md{white-space:pre-wrap;background:#f6f8fa;padding:1em;border-radius:6px;max-height:30em;overflow:auto}
.report svg{max-width:100%;height:auto}
</style></head><body>
<h1>mlops-actions: the delivery line, played locally</h1>
<p>Every step below ran a committed <code>dist/</code> action under the runner contract against the GitHub API fake${r.registry ? ', a loopback OCI registry' : ''} and a local DVC remote.</p>
<h2>Timeline</h2>
<table><thead><tr><th>step</th><th>result</th><th>version</th><th>digest</th><th>ms</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Registry (mlops show)</h2>
<table><thead><tr><th>artifact</th><th>versions</th><th>stages</th></tr></thead><tbody>${stages}</tbody></table>
<h2>Environments (GitOps files on main)</h2>
${envs}
<h2>Pull requests</h2>
${prs}
</body></html>
`;
}

