import { useCallback, useRef, useState } from 'react';

/** Undo/redo over immutable snapshots; `record` is called with the state about to be replaced. */
export function useHistory<T>(limit = 200) {
  const past = useRef<T[]>([]);
  const future = useRef<T[]>([]);
  const [, bump] = useState(0);
  const record = useCallback(
    (current: T) => {
      past.current.push(current);
      if (past.current.length > limit) past.current.shift();
      future.current = [];
      bump((n) => n + 1);
    },
    [limit],
  );
  const undo = useCallback((current: T): T | undefined => {
    const prev = past.current.pop();
    if (prev === undefined) return undefined;
    future.current.push(current);
    bump((n) => n + 1);
    return prev;
  }, []);
  const redo = useCallback((current: T): T | undefined => {
    const next = future.current.pop();
    if (next === undefined) return undefined;
    past.current.push(current);
    bump((n) => n + 1);
    return next;
  }, []);
  return { record, undo, redo, canUndo: past.current.length > 0, canRedo: future.current.length > 0 };
}
