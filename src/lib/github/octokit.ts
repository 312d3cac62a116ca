/**
 * The one Octokit factory. Every GitHub call in the toolkit goes through a client made here, so retry
 * (5xx, network errors) and throttling (primary and secondary rate limits) apply everywhere.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { registerSecret, stderrLogger } from '../log.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface OctokitOptions {
  token: string;
  /** REST base URL; defaults to GITHUB_API_URL, then https://api.github.com. */
  baseUrl?: string;
  /** Pace writes (throttling's write limiter). On in production; tests turn it off. */
  pacing?: boolean;
  /** Retries for 5xx / network errors and for rate limits. */
  retries?: number;
  /** Per-request timeout in ms (a hung connection becomes a retried error). */
  timeoutMs?: number;
  logger?: Logger;
}

// Stands in for a Bottleneck.Group: the plugin only calls key(id).schedule(options, fn).
const unpaced = { key: () => ({ schedule: <T>(_o: unknown, fn: () => Promise<T>) => fn() }) } as unknown as NonNullable<
  ThrottlingOptions['write']
>;

export function createOctokit(opts: OctokitOptions): Octokit {
  if (!opts.token) {
    throw new UserError('A GitHub token is required: pass github-token (defaults to ${{ github.token }}) or set GITHUB_TOKEN', {
      field: 'github-token',
    });
  }
  registerSecret(opts.token);
  const log = opts.logger ?? stderrLogger;
  const retries = opts.retries ?? 4;
  const pacing = opts.pacing ?? process.env.MLOPS_GITHUB_PACING !== 'false';
  const baseUrl = opts.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const timeoutMs = opts.timeoutMs ?? Number(process.env.MLOPS_GITHUB_TIMEOUT_MS ?? 30_000);

  return getOctokit(
    opts.token,
    {
      baseUrl,
      request: {
        // Fetch with an abort timeout: a stalled socket must fail (and be retried), not hang the job.
        fetch: (url: string | URL, init?: RequestInit) =>
          fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
      },
      // Retry counts live here, not in `request.retries`: as a request default that one makes the retry
      // plugin re-send every failed request (4xx included) and accumulates across requests.
      retry: { retries, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
      throttle: {
        enabled: true,
        // Without pacing, writes skip the 1 write/s limiter (tests); rate-limit handling stays on.
        ...(pacing ? {} : { write: unpaced, notifications: unpaced }),
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warning(`GitHub rate limit hit on ${options.method} ${options.url}; retrying after ${retryAfter}s`);
          return retryCount < retries;
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warning(`GitHub secondary rate limit on ${options.method} ${options.url}; retrying after ${retryAfter}s`);
          return retryCount < retries;
        },
      },
      log: { debug: (m: string) => log.debug(m), info: (m: string) => log.debug(m), warn: (m: string) => log.debug(m), error: (m: string) => log.debug(m) },
    },
    retry,
    throttling,
  );
}
