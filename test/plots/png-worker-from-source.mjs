// The PNG worker (src/lib/plots/png-worker.ts) run from source, for tests: worker threads do not take
// tsx's loader from --import on Node 20, so this plain module loads the TypeScript one through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('../../src/lib/plots/png-worker.ts', import.meta.url);
