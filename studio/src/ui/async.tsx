import { type ReactNode, useCallback, useEffect, useState } from 'react';

export interface Async<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload(): void;
}

/** Loads `load()` on mount and whenever `deps` change; `reload` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Loading and error states for a request, then its content. */
export function Loaded<T>({
  state,
  what,
  children,
}: {
  state: Async<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (state.error)
    return (
      <div role="alert" className="error-box">
        Could not load {what}: {state.error.message}{' '}
        <button type="button" onClick={state.reload}>
          Retry
        </button>
      </div>
    );
  if (state.data === undefined)
    return (
      <p role="status" className="muted">
        Loading {what}…
      </p>
    );
  return <>{children(state.data)}</>;
}
