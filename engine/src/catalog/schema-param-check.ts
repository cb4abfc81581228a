import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import Ajv, { type ValidateFunction } from 'ajv';
import type { ParamIssue } from './node-type-info';

// Params checked against a JSON Schema, where no zod schema is at hand: the studio (the browser has
// none), and node types registered by their workers (the API gets only their JSON Schema).

// Built on first use: most processes that load the engine (`kiln validate`, the studio, workers)
// never compile a params schema, and each instance costs milliseconds at start-up.
let ajv2020: Ajv2020 | undefined;
let ajv07: Ajv | undefined;

function pathOf(error: ErrorObject): (string | number)[] {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a known param';
  return error.message ?? 'is invalid';
}

/** The validator of a params JSON Schema: draft 2020-12 when its `$schema` says so, else draft-07. Throws on a schema that is not valid. */
export function compileParamsSchema(schema: Record<string, unknown>): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = is2020 ? (ajv2020 ??= new Ajv2020({ allErrors: true, strict: false })) : (ajv07 ??= new Ajv({ allErrors: true, strict: false }));
  return ajv.compile(schema);
}

/**
 * A `checkParams` from a JSON Schema. The schema is compiled on the first check, so a catalog of many
 * types compiles only those in use.
 */
export function schemaParamCheck(schema: Record<string, unknown>): (params: unknown) => readonly ParamIssue[] {
  let validate: ValidateFunction | undefined;
  return (params) => {
    validate ??= compileParamsSchema(schema);
    if (validate(params ?? {})) return [];
    return (validate.errors ?? []).map((e) => ({ path: pathOf(e), message: messageOf(e) }));
  };
}
