/**
 * Writing to the registry: register a version, assign a stage (with our promotion order), roll back.
 * Creating the tag ref is the lock: when the name is taken, re-read the tags and try again with the
 * next version or counter, a bounded number of times with jitter. Nothing is overwritten or deleted.
 */
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { assertKnownStage, previousStage, type BranchFlow } from '../promotion.js';
import { withRetry } from '../retry.js';
import { assignTitle, registerTitle, tagMessage, type AuditContext } from './audit.js';
import type { RegistryBackend } from './backend.js';
import { assertArtifact, assertVersion, formatTag } from './grammar.js';
import { buildState, previousHolder, versionOnCommit, type ArtifactState, type RegistryState } from './state.js';
import { bumpVersion, compareVersions, maxVersion, type Bump } from './versions.js';

/** Somebody else created the tag name first; re-read and retry. */
class NameTaken extends Error {
  constructor(readonly tag: string) {
    super(`tag ${tag} was created concurrently`);
  }
}

// 20 writers racing for one artifact need up to 19 retries for the unluckiest one.
const DEFAULT_ATTEMPTS = 40;

function retrying<T>(what: string, where: string, log: Logger, attempts: number, fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, {
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 2_000,
    retryIf: (e) => e instanceof NameTaken,
    onRetry: (e, n) => log.info(`${(e as Error).message}; re-reading the registry (attempt ${n + 1} of ${attempts})`),
  }).catch((e: unknown) => {
    if (e instanceof NameTaken) {
      throw new UserError(`${what}: other writers kept taking the next tag name in ${where}; gave up after ${attempts} attempts (nothing was written: re-run)`);
    }
    throw e;
  });
}

export async function readState(backend: RegistryBackend, artifact?: string, log: Logger = silentLogger): Promise<RegistryState> {
  return buildState(await backend.readTags(artifact), log);
}

function artifactOf(state: RegistryState, name: string): ArtifactState | undefined {
  return state.artifacts.get(name);
}

export interface RegisterRequest {
  artifact: string;
  /** Commit-ish to register (sha, branch, tag). */
  ref: string;
  /** Explicit `v`+semver; must be greater than every version registered so far. */
  version?: string;
  bump?: Bump;
  audit?: AuditContext;
  log?: Logger;
  attempts?: number;
}

export interface RegisterResult {
  artifact: string;
  version: string;
  tag: string;
  commit: string;
  /** false when the commit already had a version (idempotent re-run). */
  created: boolean;
}

export async function registerVersion(backend: RegistryBackend, req: RegisterRequest): Promise<RegisterResult> {
  const log = req.log ?? silentLogger;
  assertArtifact(req.artifact);
  if (req.version !== undefined) {
    assertVersion(req.version);
    if (req.bump) throw new UserError('give either version or bump, not both', { field: 'bump' });
  }
  const commit = await backend.resolveCommit(req.ref);
  return retrying(`register ${req.artifact}`, backend.where, log, req.attempts ?? DEFAULT_ATTEMPTS, async () => {
    const art = artifactOf(await readState(backend, req.artifact, log), req.artifact);
    const existing = art && versionOnCommit(art, commit);
    if (existing?.active) {
      if (req.version && req.version !== existing.version) {
        throw new UserError(
          `commit ${commit.slice(0, 12)} already has version ${existing.version} of ${req.artifact}; a commit holds one version (asked for ${req.version})`,
          { field: 'version' },
        );
      }
      log.info(`${req.artifact}: commit ${commit.slice(0, 12)} already has version ${existing.version} (tag ${existing.tag}); nothing to do`);
      return { artifact: req.artifact, version: existing.version, tag: existing.tag!, commit, created: false };
    }
    const taken = art?.takenVersions ?? new Set<string>();
    // Registered ever (even deregistered) counts: its tag name can never be used again.
    const highest = maxVersion([...(art?.versions.values() ?? [])].filter((v) => v.registered).map((v) => v.version));
    let version: string;
    if (req.version) {
      if (highest && compareVersions(req.version, highest) <= 0) {
        throw new UserError(`version ${req.version} of ${req.artifact} must be greater than every registered version (highest: ${highest})`, {
          field: 'version',
        });
      }
      if (taken.has(req.version)) throw new UserError(`tag ${formatTag({ artifact: req.artifact, action: 'register', version: req.version })} already exists`, { field: 'version' });
      version = req.version;
    } else {
      version = bumpVersion(highest, req.bump ?? 'patch');
      // A lightweight tag can occupy a name without being a version: step over it.
      while (taken.has(version)) version = bumpVersion(version, 'patch');
    }
    const tag = formatTag({ artifact: req.artifact, action: 'register', version });
    const message = tagMessage(registerTitle(req.artifact, version), {
      actor: req.audit?.actor,
      run_url: req.audit?.runUrl,
      commit,
      metrics: req.audit?.metrics,
      image_digest: req.audit?.imageDigest,
    });
    const { created } = await backend.createTag({ name: tag, commit, message });
    if (!created) throw new NameTaken(tag);
    log.info(`${req.artifact}: registered ${version} at ${commit.slice(0, 12)} (tag ${tag})`);
    return { artifact: req.artifact, version, tag, commit, created: true };
  });
}

export interface PromoteRequest {
  artifact: string;
  stage: string;
  /** Ordered stages (and branches) from mlops.yml; `gtoStages` is GTO's allow-list, when `.gto` has one. */
  flow: Pick<BranchFlow, 'stages'> & { gtoStages?: string[] };
  /** Which version: explicit, the one registered at a commit-ish, or (neither) the one now in the previous stage. */
  version?: string;
  ref?: string;
  /** Skip the order check; needs a reason, which is recorded in the tag. */
  force?: boolean;
  reason?: string;
  /** Re-assign the version that held the stage before the current one. */
  rollback?: boolean;
  audit?: AuditContext;
  log?: Logger;
  attempts?: number;
}

export interface PromoteResult {
  artifact: string;
  stage: string;
  version: string;
  commit: string;
  tag: string;
  /** The version that held the stage before this one (undefined: the stage was empty). */
  previousVersion?: string;
  /** false when the version already held the stage (nothing written). */
  created: boolean;
}

export async function promoteVersion(backend: RegistryBackend, req: PromoteRequest): Promise<PromoteResult> {
  const log = req.log ?? silentLogger;
  const { artifact, stage, flow } = req;
  assertArtifact(artifact);
  assertKnownStage(flow, stage);
  if (flow.gtoStages && !flow.gtoStages.includes(stage)) {
    throw new UserError(`stage "${stage}" is not allowed by .gto (stages: ${flow.gtoStages.join(', ')}): add it there too`, { file: '.gto', field: 'stages' });
  }
  if (req.version !== undefined) assertVersion(req.version);
  if (req.force && !req.reason?.trim()) throw new UserError('force needs a reason (it is recorded in the tag message)', { field: 'reason' });
  if (req.rollback && (req.version || req.ref)) throw new UserError('rollback picks the version itself: do not give version or ref with it', { field: 'rollback' });
  const commitOfRef = req.ref ? await backend.resolveCommit(req.ref) : undefined;

  return retrying(`assign ${stage} to ${artifact}`, backend.where, log, req.attempts ?? DEFAULT_ATTEMPTS, async () => {
    const state = await readState(backend, artifact, log);
    const art = artifactOf(state, artifact);
    if (!art || art.activeVersions.length === 0) {
      throw new UserError(`artifact ${artifact} has no registered version in ${backend.where}: register one first`, { field: 'artifact' });
    }
    const current = art.stages[stage];
    const prev = previousStage(flow, stage);
    let version: string;
    if (req.rollback) {
      if (!current) throw new UserError(`cannot roll back ${artifact} in ${stage}: no version is in ${stage}`);
      const before = previousHolder(art, stage);
      if (!before) throw new UserError(`cannot roll back ${artifact} in ${stage}: ${current.version} is the only version that has held ${stage}`);
      version = before.version;
    } else if (req.version) {
      const v = art.versions.get(req.version);
      if (!v?.registered || !v.active) {
        throw new UserError(`version ${req.version} of ${artifact} is not registered (registered: ${art.activeVersions.join(', ')})`, { field: 'version' });
      }
      version = v.version;
    } else if (commitOfRef) {
      const v = versionOnCommit(art, commitOfRef);
      if (!v?.active) throw new UserError(`no version of ${artifact} is registered at ${req.ref} (${commitOfRef.slice(0, 12)}): register it first`, { field: 'ref' });
      version = v.version;
    } else {
      if (!prev) throw new UserError(`${stage} is the first stage: say which version to assign (version or ref)`, { field: 'version' });
      const holder = art.stages[prev];
      if (!holder) throw new UserError(`no version of ${artifact} is in ${prev}, so there is nothing to promote to ${stage}`);
      version = holder.version;
    }
    const v = art.versions.get(version)!;
    if (!v.registered) {
      throw new UserError(`commit ${v.commit.slice(0, 12)} of ${artifact} holds a stage without a registered version (gto --skip-registration): register it first`);
    }

    // Already there (a re-run): success, even if the previous stage has moved on since.
    if (current?.version === version) {
      log.info(`${artifact}: ${version} is already in ${stage} (tag ${current.tag}); nothing to do`);
      return { artifact, stage, version, commit: v.commit, tag: current.tag, previousVersion: previousHolder(art, stage)?.version, created: false };
    }

    if (!req.rollback && !req.force && prev) {
      const holder = art.stages[prev];
      if (holder?.version !== version) {
        throw new UserError(
          `refusing to assign ${stage} to ${artifact} ${version}: it is not in ${prev} (${prev} holds ${holder?.version ?? 'no version'}). ` +
            `Promote ${version} to ${prev} first, or use force with a reason.`,
        );
      }
    }

    const tag = formatTag({ artifact, action: 'assign', stage, counter: art.maxCounter + 1 });
    const message = tagMessage(assignTitle(artifact, stage, version), {
      actor: req.audit?.actor,
      run_url: req.audit?.runUrl,
      commit: v.commit,
      metrics: req.audit?.metrics,
      image_digest: req.audit?.imageDigest,
      previous_version: current?.version ?? null,
      forced: req.force ? true : undefined,
      reason: req.force || req.rollback ? req.reason?.trim() || undefined : undefined,
      rollback: req.rollback ? true : undefined,
    });
    const { created } = await backend.createTag({ name: tag, commit: v.commit, message });
    if (!created) throw new NameTaken(tag);
    log.info(`${artifact}: assigned ${stage} to ${version} (tag ${tag}${current ? `, was ${current.version}` : ''})`);
    return { artifact, stage, version, commit: v.commit, tag, previousVersion: current?.version, created: true };
  });
}
