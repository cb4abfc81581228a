import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import Ajv, { type ValidateFunction } from 'ajv';
import { type Catalog, type NodeTypeInfo, type ParamIssue, catalogOf } from '@kiln/engine';

/** A catalog entry as `GET /api/v1/node-types` serves it: everything but `checkParams`. */
export type NodeTypeJson = Omit<NodeTypeInfo, 'checkParams'>;

const ajv2020 = new Ajv2020({ allErrors: true, strict: false });
const ajv07 = new Ajv({ allErrors: true, strict: false });

function pathOf(error: ErrorObject): (string | number)[] {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'required')
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties')
    segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a known param';
  return error.message ?? 'is invalid';
}

/**
 * Param checks from the JSON Schema: the server's zod checks are not available in the browser. The
 * schema is compiled on the first check, so opening the studio compiles only the types in use.
 */
export function schemaParamCheck(
  schema: Record<string, unknown>,
): (params: unknown) => readonly ParamIssue[] {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  let validate: ValidateFunction | undefined;
  return (params) => {
    validate ??= (is2020 ? ajv2020 : ajv07).compile(schema);
    if (validate(params ?? {})) return [];
    return (validate.errors ?? []).map((e) => ({ path: pathOf(e), message: messageOf(e) }));
  };
}

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
