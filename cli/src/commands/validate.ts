import { parseArgs } from 'node:util';
import { type Catalog, type NodeTypeInfo, type Problem, catalogOf, formatProblem, schemaParamCheck, specHash, validateSpec } from '@kiln/engine';
import { catalog as builtins } from '@kiln/nodes/catalog';
import { loadSpec } from '../load-spec';
import { apiTarget } from '../api-target';
import type { Io } from '../io';
import { VALIDATE_USAGE } from './usage';

/**
 * The catalog an API validates with (built-ins and the node types workers registered there), from
 * `GET /api/v1/catalog`; params are checked against each type's JSON Schema.
 */
export async function apiCatalog(base: string, token: string | undefined): Promise<Catalog> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/catalog`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new Error(`cannot read the node catalog of the API at ${base}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`the API at ${base} answered GET /api/v1/catalog with ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const types = (await res.json()) as Omit<NodeTypeInfo, 'checkParams'>[];
  return catalogOf(types.map((t) => ({ ...t, checkParams: schemaParamCheck(t.paramsJsonSchema) })));
}

/** Loads and validates a spec (against the built-in node types, or the catalog given); prints each problem. */
export async function loadAndValidate(file: string, io: Io, catalog: Catalog = builtins) {
  let raw: unknown;
  try {
    raw = await loadSpec(file);
  } catch (err) {
    io.err(`${(err as Error).message}`);
    return undefined;
  }
  const result = validateSpec(raw, catalog);
  if (!result.ok) {
    io.err(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
    for (const p of result.problems as Problem[]) io.err(`  ${formatProblem(p)}`);
    return undefined;
  }
  return result.spec;
}

export async function validateCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { api: { type: 'string' }, token: { type: 'string' } } });
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${VALIDATE_USAGE}`);
    return 2;
  }
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length > 0) {
    io.err(`usage: ${VALIDATE_USAGE}`);
    return 2;
  }
  // Against an API's catalog (its registered node types too) when one is named: --api or KILN_API_URL.
  let catalog: Catalog = builtins;
  if (parsed.values.api ?? process.env.KILN_API_URL) {
    const { base, token } = apiTarget(parsed.values);
    try {
      catalog = await apiCatalog(base, token);
    } catch (err) {
      io.err(`kiln validate: ${(err as Error).message}`);
      return 1;
    }
  }
  const spec = await loadAndValidate(file, io, catalog);
  if (!spec) return 2;
  io.out(`${file}: ok — pipeline "${spec.name}", ${spec.nodes.length} nodes, ${(spec.edges ?? []).length} edges, ${specHash(spec)}`);
  return 0;
}
