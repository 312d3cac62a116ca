/**
 * Registry state from tags: which versions exist, which version is in each stage, and the ordered
 * history, following GTO's semantics (spec/registry.md):
 * - registrations are indexed first; an assignment belongs to the version registered on its commit, or,
 *   when none is (GTO's --skip-registration), to an unregistered version named by the full commit sha;
 * - events are ordered by counter where present, else by tagger time;
 * - per (stage, version) the latest event wins; the version "in" a stage is the one whose assignment in
 *   force is the latest; deregistered versions hold no stage;
 * - an artifact is deprecated when its latest event is a deprecation.
 */
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { parseTag, type ParsedTag, type TagAction } from './grammar.js';
import { compareVersions, sortVersions } from './versions.js';

/** One tag as a backend reads it. Optional fields may be left out by backends that read lazily. */
export interface RawTag {
  name: string;
  /** Lightweight tags (pointing straight at a commit) are not registry events. */
  annotated: boolean;
  /** The commit the tag points at (peeled). */
  commit?: string;
  /** Tagger time in unix seconds: GTO's creation time of the event. */
  time?: number;
  /** `Name <email>` of the tagger. */
  tagger?: string;
  message?: string;
}

export interface RegistryEvent extends ParsedTag {
  commit: string;
  time?: number;
  tagger?: string;
  message?: string;
  /** For assignments: the version the commit resolves to (a full sha when the commit has no version). */
  version?: string;
}

export interface VersionState {
  version: string;
  commit: string;
  /** The register tag; undefined for an unregistered commit (named by its sha). */
  tag?: string;
  registered: boolean;
  /** Registered and not deregistered since (always true for an unregistered commit that holds a stage). */
  active: boolean;
}

export interface StageHolder {
  stage: string;
  version: string;
  commit: string;
  /** The assignment tag in force. */
  tag: string;
}

export interface ArtifactState {
  name: string;
  /** Every event, oldest first. */
  events: RegistryEvent[];
  /** Every version ever seen, by name (including deregistered and unregistered commits). */
  versions: Map<string, VersionState>;
  /** Registered versions in force, semver order. */
  activeVersions: string[];
  latest?: string;
  stages: Record<string, StageHolder>;
  deprecated: boolean;
  /** Largest `#N` among all tags of the artifact (lightweight ones too: they occupy names). */
  maxCounter: number;
  /** Versions whose register tag name is taken, annotated or not. */
  takenVersions: Set<string>;
}

export interface RegistryState {
  artifacts: Map<string, ArtifactState>;
}

// GTO's event priorities: they order events that carry the same time.
const PRIORITY: Record<TagAction, number> = { create: 1, deprecate: 2, register: 3, deregister: 4, assign: 5, unassign: 6 };

function byTimeThenKind(a: RegistryEvent, b: RegistryEvent): number {
  if (a.time !== undefined && b.time !== undefined && a.time !== b.time) return a.time - b.time;
  if ((a.time === undefined) !== (b.time === undefined)) return a.time === undefined ? -1 : 1;
  if (PRIORITY[a.action] !== PRIORITY[b.action]) return PRIORITY[a.action] - PRIORITY[b.action];
  if (a.version && b.version && a.version !== b.version && a.action === b.action) return compareVersions(a.version, b.version);
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

/**
 * Counter-bearing events keep their counter order; events without a counter keep their time order; the
 * two sequences are merged by time. A merge (rather than one comparator) stays a consistent total
 * order even when runner clocks disagree with the counters.
 */
export function orderEvents(events: RegistryEvent[]): RegistryEvent[] {
  const counted = events
    .filter((e) => e.counter !== undefined)
    .sort((a, b) => a.counter! - b.counter! || byTimeThenKind(a, b));
  const timed = events.filter((e) => e.counter === undefined).sort(byTimeThenKind);
  const out: RegistryEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < counted.length || j < timed.length) {
    if (j >= timed.length) out.push(counted[i++]!);
    else if (i >= counted.length) out.push(timed[j++]!);
    else out.push(byTimeThenKind(timed[j]!, counted[i]!) <= 0 ? timed[j++]! : counted[i++]!);
  }
  return out;
}

function emptyArtifact(name: string): ArtifactState {
  return {
    name,
    events: [],
    versions: new Map(),
    activeVersions: [],
    stages: {},
    deprecated: false,
    maxCounter: 0,
    takenVersions: new Set(),
  };
}

/** Build the state of every artifact from a repository's tags. Tags that are not registry tags are skipped. */
export function buildState(tags: Iterable<RawTag>, log: Logger = silentLogger): RegistryState {
  const byArtifact = new Map<string, { art: ArtifactState; events: RegistryEvent[] }>();
  for (const raw of tags) {
    const parsed = parseTag(raw.name);
    if (!parsed) {
      log.debug(`registry: ignoring tag "${raw.name}": not a registry tag`);
      continue;
    }
    let entry = byArtifact.get(parsed.artifact);
    if (!entry) byArtifact.set(parsed.artifact, (entry = { art: emptyArtifact(parsed.artifact), events: [] }));
    if (parsed.counter !== undefined) entry.art.maxCounter = Math.max(entry.art.maxCounter, parsed.counter);
    if (parsed.version) entry.art.takenVersions.add(parsed.version);
    if (!raw.annotated) {
      log.debug(`registry: ignoring lightweight tag "${raw.name}": only annotated tags are registry events`);
      continue;
    }
    if (!raw.commit) {
      log.debug(`registry: ignoring tag "${raw.name}": it does not point at a commit`);
      continue;
    }
    entry.events.push({ ...parsed, commit: raw.commit, time: raw.time, tagger: raw.tagger, message: raw.message });
  }
  const artifacts = new Map<string, ArtifactState>();
  for (const [name, { art, events }] of byArtifact) {
    index(art, orderEvents(events));
    artifacts.set(name, art);
  }
  return { artifacts };
}

function index(art: ArtifactState, events: RegistryEvent[]): void {
  art.events = events;
  // Pass 1 (as GTO): versions from registrations and deregistrations.
  for (const e of events) {
    if (e.action !== 'register' && e.action !== 'deregister') continue;
    const v = e.version!;
    const known = art.versions.get(v);
    if (e.action === 'register') {
      if (known?.registered && known.commit !== e.commit) {
        // Same version registered twice on different commits: the first registration stands.
        continue;
      }
      art.versions.set(v, { version: v, commit: e.commit, tag: known?.tag ?? e.tag, registered: true, active: true });
    } else if (known) {
      known.active = false;
    }
  }
  // Pass 2: assignments resolve to the version on their commit.
  const byCommit = new Map<string, VersionState[]>();
  for (const v of art.versions.values()) byCommit.set(v.commit, [...(byCommit.get(v.commit) ?? []), v]);
  for (const e of events) {
    if (e.action !== 'assign' && e.action !== 'unassign') continue;
    e.version = pickVersion(byCommit.get(e.commit) ?? [])?.version;
    if (!e.version) {
      art.versions.set(e.commit, { version: e.commit, commit: e.commit, registered: false, active: true });
      e.version = e.commit;
    }
  }
  art.activeVersions = sortVersions([...art.versions.values()].filter((v) => v.registered && v.active).map((v) => v.version));
  art.latest = art.activeVersions.at(-1);
  art.stages = currentHolders(art, events);
  art.deprecated = events.at(-1)?.action === 'deprecate';
}

/** The version registered on a commit: the one in force if any, else the highest registered there. */
export function versionOnCommit(art: ArtifactState, commit: string): VersionState | undefined {
  return pickVersion([...art.versions.values()].filter((v) => v.commit === commit));
}

function pickVersion(candidates: VersionState[]): VersionState | undefined {
  let found: VersionState | undefined;
  for (const v of candidates) {
    if (!v.registered) continue;
    if (!found || (v.active && !found.active) || (v.active === found.active && compareVersions(v.version, found.version) > 0)) found = v;
  }
  return found;
}

interface Slot {
  assigned: boolean;
  /** Position of the latest assignment in the event order. */
  at: number;
  tag: string;
}

function currentHolders(art: ArtifactState, events: RegistryEvent[], upTo = events.length): Record<string, StageHolder> {
  const slots = new Map<string, Map<string, Slot>>();
  const deregistered = new Set<string>();
  for (let i = 0; i < upTo; i++) {
    const e = events[i]!;
    if (e.action === 'deregister') deregistered.add(e.version!);
    if (e.action === 'register') deregistered.delete(e.version!);
    if (e.action !== 'assign' && e.action !== 'unassign') continue;
    let stage = slots.get(e.stage!);
    if (!stage) slots.set(e.stage!, (stage = new Map()));
    const prev = stage.get(e.version!);
    stage.set(e.version!, e.action === 'assign' ? { assigned: true, at: i, tag: e.tag } : { assigned: false, at: prev?.at ?? i, tag: prev?.tag ?? e.tag });
  }
  const holders: Record<string, StageHolder> = {};
  for (const [stage, byVersion] of slots) {
    let best: [string, Slot] | undefined;
    for (const [version, slot] of byVersion) {
      if (!slot.assigned || deregistered.has(version)) continue;
      if (!best || slot.at > best[1].at) best = [version, slot];
    }
    if (best) holders[stage] = { stage, version: best[0], commit: art.versions.get(best[0])!.commit, tag: best[1].tag };
  }
  return holders;
}

/**
 * The successive versions that held a stage, oldest first (consecutive repeats collapsed). The last
 * entry is the current holder when the stage is held.
 */
export function stageTimeline(art: ArtifactState, stage: string): StageHolder[] {
  const out: StageHolder[] = [];
  let last: string | undefined;
  for (let i = 0; i < art.events.length; i++) {
    const e = art.events[i]!;
    const touches = (e.stage === stage && (e.action === 'assign' || e.action === 'unassign')) || e.action === 'deregister' || e.action === 'register';
    if (!touches) continue;
    const holder = currentHolders(art, art.events, i + 1)[stage];
    if (holder && holder.version !== last) out.push(holder);
    last = holder?.version;
  }
  return out;
}

/** The version that held the stage before its current holder took it (what a rollback re-assigns). */
export function previousHolder(art: ArtifactState, stage: string): StageHolder | undefined {
  const current = art.stages[stage];
  if (!current) return undefined;
  const timeline = stageTimeline(art, stage);
  for (let i = timeline.length - 2; i >= 0; i--) {
    const h = timeline[i]!;
    const v = art.versions.get(h.version);
    if (h.version !== current.version && v?.active) return h;
  }
  return undefined;
}

/**
 * The model serving in a stage: its version and the commit that version was registered on (the
 * baseline a PR report compares against). Undefined when nothing holds the stage.
 */
export function servingCommit(state: RegistryState, artifact: string, stage: string): { version: string; commit: string; tag: string } | undefined {
  const h = state.artifacts.get(artifact)?.stages[stage];
  return h ? { version: h.version, commit: h.commit, tag: h.tag } : undefined;
}

export interface ShowJson {
  artifacts: Record<string, { versions: string[]; latest: string | null; stages: Record<string, string> }>;
}

/** The `mlops show --json` document. Deprecated artifacts are left out unless asked for, as `gto show` does. */
export function showJson(state: RegistryState, opts: { deprecated?: boolean; artifact?: string } = {}): ShowJson {
  const out: ShowJson = { artifacts: {} };
  const names = [...state.artifacts.keys()].sort();
  for (const name of names) {
    const art = state.artifacts.get(name)!;
    if (opts.artifact && name !== opts.artifact) continue;
    if (art.deprecated && !opts.deprecated) continue;
    if (art.events.length === 0) continue;
    const stages: Record<string, string> = {};
    for (const s of Object.keys(art.stages).sort()) stages[s] = art.stages[s]!.version;
    out.artifacts[name] = { versions: art.activeVersions, latest: art.latest ?? null, stages };
  }
  return out;
}
