import { BUILTIN_SOURCE, type Catalog, catalogOf, schemaParamCheck } from '@kiln/engine';
import type { NodeTypeJson } from '@kiln/api-types';

/** A catalog entry as `GET /api/v1/catalog` serves it (@kiln/api-types). */
export type { NodeTypeJson };

/** The catalog the engine's validator needs, built from the API's node types. */
export function browserCatalog(types: readonly NodeTypeJson[]): Catalog {
  return catalogOf(types.map((t) => ({ ...t, checkParams: schemaParamCheck(t.paramsJsonSchema) })));
}

/** Node types grouped by category (sorted), filtered by a search over type, title and description. */
export function groupByCategory(types: readonly NodeTypeJson[], search = ''): [string, NodeTypeJson[]][] {
  const needle = search.trim().toLowerCase();
  const groups = new Map<string, NodeTypeJson[]>();
  for (const t of types) {
    if (needle && !`${t.type} ${t.title} ${t.description} ${t.category}`.toLowerCase().includes(needle))
      continue;
    groups.set(t.category, [...(groups.get(t.category) ?? []), t]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, list]) => [c, list.sort((a, b) => a.title.localeCompare(b.title))]);
}

/** The palette's top level: where node types come from (Kiln's own first, then each registering package). */
export interface SourceGroup {
  source: string;
  language: string;
  categories: [string, NodeTypeJson[]][];
}

/** Node types grouped by source (built-ins first, then packages by name), then by category; the search as in {@link groupByCategory}. */
export function groupBySource(types: readonly NodeTypeJson[], search = ''): SourceGroup[] {
  const bySource = new Map<string, NodeTypeJson[]>();
  for (const t of types) {
    const source = t.source ?? BUILTIN_SOURCE;
    bySource.set(source, [...(bySource.get(source) ?? []), t]);
  }
  return [...bySource.entries()]
    .sort(([a], [b]) => (a === BUILTIN_SOURCE ? -1 : b === BUILTIN_SOURCE ? 1 : a.localeCompare(b)))
    .map(([source, list]) => ({ source, language: list[0]!.language ?? 'typescript', categories: groupByCategory(list, search) }))
    .filter((g) => g.categories.length > 0);
}
