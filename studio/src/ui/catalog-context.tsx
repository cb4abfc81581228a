import { type ReactNode, createContext, useContext, useMemo } from 'react';
import type { Catalog } from '@kiln/engine';
import { kilnApi } from '../api/client';
import { type NodeTypeJson, browserCatalog } from '../api/catalog';
import { Loaded, useAsync } from './async';

export interface CatalogValue {
  types: NodeTypeJson[];
  byType: Map<string, NodeTypeJson>;
  catalog: Catalog;
}

const CatalogContext = createContext<CatalogValue | null>(null);

/** Loads `GET /node-types` once: the palette, forms and validation all come from it. */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const state = useAsync(() => kilnApi.nodeTypes(), []);
  const value = useMemo(
    () =>
      state.data
        ? {
            types: state.data,
            byType: new Map(state.data.map((t) => [t.type, t])),
            catalog: browserCatalog(state.data),
          }
        : undefined,
    [state.data],
  );
  return (
    <Loaded state={{ ...state, data: value }} what="node types">
      {(v) => <CatalogContext.Provider value={v}>{children}</CatalogContext.Provider>}
    </Loaded>
  );
}

export function useCatalog(): CatalogValue {
  const value = useContext(CatalogContext);
  if (!value) throw new Error('useCatalog outside CatalogProvider');
  return value;
}
