/**
 * Which GITHUB_TOKEN permissions each action needs, so the policy check can tell a job's unused write
 * grants (and missing ones) from its steps. One table for our actions, the mlops CLI commands our
 * composites run, and the few third-party actions our workflows use. An action missing here is a
 * finding: whoever adds an action adds its line.
 */
import type { Obj } from './model.js';

export type Level = 'none' | 'read' | 'write';
export type Grants = Record<string, Level>;

export const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

type Needs = (withInputs: Obj) => Grants;

/** Our seven actions. Keys are folders under actions/ (composites are derived from their steps). */
export const ACTION_NEEDS: Record<string, Needs> = {
  // Reads the repo's .dvc files; the cache service uses the runtime token, not GITHUB_TOKEN.
  'dvc-pull': () => ({ contents: 'read' }),
  // Sticky PR comment (issue-comment endpoints accept pull-requests: write on a PR); plot images
  // committed to the assets branch unless image-host is none.
  'cml-report': (w) => ({ contents: w['image-host'] === 'none' ? 'read' : 'write', 'pull-requests': 'write' }),
  // Commit status on the head sha; reads the PR's labels and timeline for the override.
  'metric-gate': () => ({ contents: 'read', statuses: 'write', 'pull-requests': 'read' }),
  // Registry tags are git refs.
  'register-model': () => ({ contents: 'write' }),
  'promote-stage': () => ({ contents: 'write' }),
  // Pushing to ghcr.io with GITHUB_TOKEN needs packages: write; other registries use their own secret.
  'build-image': () => ({ contents: 'read', packages: 'write' }),
  // Direct commit or PR to the GitOps files, then a deployment + status for the environment.
  'bump-env-tag': () => ({ contents: 'write', 'pull-requests': 'write', deployments: 'write' }),
};

/** `mlops <command>` run by our composites (dist/cli/index.js) with the token in the environment. */
export const CLI_NEEDS: Record<string, Grants> = {
  // Reads mlops.yml only; no API call.
  'check-pr': {},
  // Opens/updates/closes the promotion PR, creates and sets the `promotion` label (a repository label
  // is an issues write), reads compare and registry tags.
  'promotion-pr': { contents: 'read', 'pull-requests': 'write', issues: 'write' },
};

/**
 * A `run:` step that calls the API itself declares what it needs in its first comment lines, e.g.
 * `# permissions: pull-requests: write, statuses: write` (the checker cannot read shell).
 */
export function declaredRunNeeds(run: string): Grants | undefined {
  const m = /^\s*#\s*permissions:\s*(.*)$/m.exec(run);
  if (!m) return undefined;
  const out: Grants = {};
  for (const part of m[1]!.split(',')) {
    const kv = /^\s*([a-z-]+)\s*:\s*(read|write|none)\s*$/.exec(part);
    if (kv) out[kv[1]!] = kv[2] as Level;
  }
  return out;
}

/** Does a step hand a GitHub token to its process (so it may call the API)? */
export function passesToken(env: Obj): boolean {
  return Object.entries(env).some(
    ([k, v]) => /^(GH_TOKEN|GITHUB_TOKEN)$/.test(k) || (typeof v === 'string' && /github\.token|secrets\.GITHUB_TOKEN|inputs\.github-token/.test(v)),
  );
}

/** Third-party actions, by `owner/repo`. */
export const THIRD_PARTY_NEEDS: Record<string, Needs> = {
  'actions/checkout': () => ({ contents: 'read' }),
  'actions/setup-node': () => ({}),
  // Artifacts of the same run use the runtime token.
  'actions/upload-artifact': () => ({}),
  // Another run's artifact (run-id + github-token) is read through the REST API.
  'actions/download-artifact': (w): Grants => (w['run-id'] !== undefined ? { actions: 'read' } : {}),
};

const rank: Record<Level, number> = { none: 0, read: 1, write: 2 };

export function merge(...all: Grants[]): Grants {
  const out: Grants = {};
  for (const g of all) for (const [k, v] of Object.entries(g)) if (rank[v] > rank[out[k] ?? 'none']) out[k] = v;
  return out;
}

export function covers(granted: Level | undefined, needed: Level): boolean {
  return rank[granted ?? 'none'] >= rank[needed];
}

/** A job's `permissions:` value as grants; undefined when absent. */
export function parseGrants(value: unknown): Grants | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'read-all' || value === 'write-all') {
    const level: Level = value === 'read-all' ? 'read' : 'write';
    return Object.fromEntries(SCOPES.map((s) => [s, level]));
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const out: Grants = {};
    for (const [k, v] of Object.entries(value)) if (v === 'read' || v === 'write' || v === 'none') out[k] = v;
    return out;
  }
  return {};
}

/**
 * True when a step's token input is some other credential (a secret alone), so its needs do not fall
 * on GITHUB_TOKEN. `${{ github.token }}`, `secrets.GITHUB_TOKEN` and forwarded inputs count as ours.
 */
export function usesOtherToken(token: unknown): boolean {
  if (typeof token !== 'string' || token === '') return false;
  if (/github\.token|secrets\.GITHUB_TOKEN|inputs\./.test(token)) return false;
  return /secrets\./.test(token);
}
