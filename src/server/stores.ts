import type { ArtifactStore } from '../store/artifact-store.ts';
import type { DatabaseStores } from '../store/open.ts';

/** What the server serves: one database's stores and an artifact store. */
export interface ServerStores extends DatabaseStores {
  artifacts: ArtifactStore;
}
