import { ApplicationFailure } from '@temporalio/activity';
import { type ReadSpecPage, SPEC_PAGE_CHARS } from '@kiln/engine';
import type { SpecStore } from '@kiln/engine/temporal';
import { ArtifactIntegrityError, ArtifactNotFoundError, type ArtifactStore } from '../store/artifact-store';

export const SPEC_MEDIA_TYPE = 'application/vnd.kiln.pipeline+json';

/** Keeps large specs in the artifact store, for `startRun` (the run's input then names the digest). */
export function artifactSpecStore(store: ArtifactStore): SpecStore {
  return {
    async put(json) {
      return (await store.put(new TextEncoder().encode(json), { mediaType: SPEC_MEDIA_TYPE })).digest;
    },
  };
}

/**
 * The `kiln.readSpec` activity (workflow workers serve it): one page of a stored spec's JSON. The
 * last spec read stays in memory, since a workflow reads every page of it in a row.
 */
export function readSpecActivity(store: ArtifactStore): (page: ReadSpecPage) => Promise<string> {
  let last: { digest: string; text: Promise<string> } | undefined;
  return async ({ digest, offset }) => {
    if (last?.digest !== digest) {
      const text = store.get(digest).then((bytes) => new TextDecoder().decode(bytes));
      last = { digest, text };
      text.catch(() => (last = undefined));
    }
    let text: string;
    try {
      text = await last.text;
    } catch (err) {
      if (err instanceof ArtifactNotFoundError || err instanceof ArtifactIntegrityError) {
        throw ApplicationFailure.create({ type: 'SpecNotFound', message: `the run's spec: ${err.message}`, nonRetryable: true });
      }
      throw err;
    }
    let end = Math.min(text.length, offset + SPEC_PAGE_CHARS);
    // Never split a surrogate pair between pages.
    const last16 = text.charCodeAt(end - 1);
    if (end < text.length && last16 >= 0xd800 && last16 <= 0xdbff) end--;
    return text.slice(offset, end);
  };
}
