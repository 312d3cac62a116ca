/** The fake's in-memory state (everything except git objects and refs, which live in the bare repos). */
import type { BareRepo } from './git.js';

export type Level = 'none' | 'read' | 'write';
export type Scope = 'contents' | 'issues' | 'pull_requests' | 'statuses' | 'checks' | 'deployments' | 'administration' | 'metadata';
export type Permissions = Partial<Record<Exclude<Scope, 'metadata'>, Level>>;

export interface User {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface TokenInfo {
  token: string;
  permissions: Permissions;
  user: User;
  used: number;
}

export const BOT: User = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface LabelRec {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface EventRec {
  id: number;
  event: string;
  actor: User;
  created_at: string;
  label?: { name: string; color: string };
  commit_id?: string | null;
}

export interface CommentRec {
  id: number;
  issue: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
}

export interface PullRec {
  headRef: string;
  /** owner/name of the repo holding the head branch. */
  headRepo: string;
  baseRef: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  merged_by: User | null;
  merge_commit_sha: string | null;
  maintainer_can_modify: boolean;
}

export interface IssueRec {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  user: User;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull?: PullRec;
}

export interface StatusRec {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  creator: User;
  created_at: string;
  updated_at: string;
}

export interface CheckRunRec {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
}

export interface DeploymentStatusRec {
  id: number;
  state: string;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  creator: User;
  created_at: string;
  updated_at: string;
}

export interface DeploymentRec {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  creator: User;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
  statuses: DeploymentStatusRec[];
}

export interface RepoRec {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  git: BareRepo;
  nextNumber: number;
  issues: Map<number, IssueRec>;
  comments: CommentRec[];
  labels: Map<string, LabelRec>;
  events: Map<number, EventRec[]>;
  statuses: StatusRec[];
  checkRuns: CheckRunRec[];
  deployments: DeploymentRec[];
  environments: Map<string, Record<string, unknown>>;
  protections: Map<string, Record<string, unknown>>;
  rulesets: Record<string, unknown>[];
  created_at: string;
}

let nextId = 1_000_000;
export const newId = () => ++nextId;
export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
