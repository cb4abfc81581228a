import { join } from 'node:path';
import { kilnHome } from '@kiln/engine/temporal';
import type { ArtifactStore } from './artifact-store';
import { FolderArtifactStore } from './folder-store';

/** The store configured for this process: `KILN_ARTIFACTS` or `$KILN_HOME/artifacts` (the S3 store comes later). */
export function defaultArtifactStore(): ArtifactStore {
  return new FolderArtifactStore(process.env.KILN_ARTIFACTS ?? join(kilnHome(), 'artifacts'));
}
