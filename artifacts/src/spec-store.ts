import type { SpecStore } from '@kiln/engine/temporal';
import type { ArtifactStore } from './artifact-store';

export const SPEC_MEDIA_TYPE = 'application/vnd.kiln.pipeline+json';

/**
 * Keeps large specs in the artifact store, for `startRun` (the run's input then names the digest,
 * and workflow workers read it back through the `kiln.readSpec` activity).
 */
export function artifactSpecStore(store: ArtifactStore): SpecStore {
  return {
    async put(json) {
      return (await store.put(new TextEncoder().encode(json), { mediaType: SPEC_MEDIA_TYPE })).digest;
    },
  };
}
