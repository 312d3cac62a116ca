/** The git-tag model registry (GTO-compatible): what other modules import. */
export * from './grammar.js';
export * from './versions.js';
export * from './state.js';
export * from './audit.js';
export type { NewTag, RegistryBackend } from './backend.js';
export { readState, registerVersion, promoteVersion, type RegisterRequest, type RegisterResult, type PromoteRequest, type PromoteResult } from './operations.js';
export { GitHubTagBackend, BOT_TAGGER } from './github.js';
