import { useState } from 'react';
import { actionError } from './widgets';

/**
 * A registry page's changes (promote, roll back, …): each one asked to confirm when it says so, run
 * one at a time, then reported as a notice (and `after` called: a reload) or as an error.
 */
export function usePageAction(after: () => void) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>, done: string, confirm?: string) => {
    if (confirm && !window.confirm(confirm)) return;
    setError(undefined);
    setNotice(undefined);
    setBusy(true);
    try {
      await fn();
      setNotice(done);
      after();
    } catch (err) {
      setError(actionError(err));
    } finally {
      setBusy(false);
    }
  };
  return { act, error, notice, busy };
}

/** The last change's notice, if any. */
export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <p role="status" className="notice-line">
      {text}
    </p>
  );
}
