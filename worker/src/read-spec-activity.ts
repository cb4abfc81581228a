import { ApplicationFailure } from '@temporalio/activity';
import { type ReadSpecPage, SPEC_PAGE_CHARS } from '@kiln/engine';
import { ArtifactIntegrityError, ArtifactNotFoundError, type ArtifactStore } from '@kiln/artifacts/artifact-store';

/**
 * The `kiln.readSpec` activity (workflow workers serve it): one page of a stored spec's JSON. The
 * last spec read stays in memory, since a workflow reads every page of it in a row.
 */
export function readSpecActivity(store: ArtifactStore): (page: ReadSpecPage) => Promise<string> {
  let last: { digest: string; text: Promise<string> } | undefined;
  return async ({ digest, offset }) => {
    if (last?.digest !== digest) {
      const loading = store.get(digest).then((bytes) => new TextDecoder().decode(bytes));
      const entry = { digest, text: loading };
      last = entry;
      loading.catch(() => {
        if (last === entry) last = undefined;
      });
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
    const lastUnit = text.charCodeAt(end - 1);
    if (end < text.length && lastUnit >= 0xd800 && lastUnit <= 0xdbff) end--;
    return text.slice(offset, end);
  };
}
