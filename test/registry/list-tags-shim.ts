/**
 * GET /repos/{owner}/{repo}/tags for the GitHub fake, as one `git for-each-ref`. The fake's own handler
 * (test/harness/github-fake/routes.ts) resolves each tag with a separate git process and skips names its
 * ref check rejects, which includes every registry tag (`@`, `#`); the registry's API backend reads
 * peeled commits from this endpoint (src/lib/registry/github.ts), so its tests and bench install this
 * one instead. Same shape, order (name descending) and pagination (30 per page by default, at most 100,
 * Link header) as the fake's and GitHub's. Drop it once the fake's handler does the same.
 */
import { handlers } from '../harness/github-fake/routes.js';

const nodeId = (kind: string, id: string) => Buffer.from(`${kind}_${id}`).toString('base64').replace(/=+$/, '');

export function ensureListTags(): void {
  handlers['repos/list-tags'] = async (c) => {
    const out = await c.repo.git.out(['for-each-ref', '--sort=-refname', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)', 'refs/tags']);
    const api = `${c.fake.url}/repos/${c.repo.fullName}`;
    const all = [];
    for (const line of out.split('\n').filter(Boolean)) {
      const [ref, type, object, peeledType, peeled] = line.split('\0') as [string, string, string, string, string];
      const sha = type === 'commit' ? object : peeledType === 'commit' ? peeled : undefined;
      if (!sha) continue;
      const name = ref.slice('refs/tags/'.length);
      all.push({
        name,
        commit: { sha, url: `${api}/commits/${sha}` },
        zipball_url: `${api}/zipball/refs/tags/${name}`,
        tarball_url: `${api}/tarball/refs/tags/${name}`,
        node_id: nodeId('REF', ref),
      });
    }
    const perRaw = Number(c.query.per_page);
    const per = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(100, perRaw) : 30;
    const pageRaw = Number(c.query.page);
    const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
    const last = Math.max(1, Math.ceil(all.length / per));
    const link = (p: number) => {
      const q = new URLSearchParams(c.query);
      q.set('page', String(p));
      return `<${c.fake.url}${c.rawPath}?${q.toString()}>`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) links.push(`${link(1)}; rel="first"`);
    const headers: Record<string, string> = links.length ? { link: links.join(', ') } : {};
    return { status: 200, body: all.slice((page - 1) * per, page * per), headers };
  };
}
