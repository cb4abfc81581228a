import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { PipelineSpec } from './schema';
import type { Problem } from './problem';

/** Built on first use (a spec with run parameters): validating one without them needs no Ajv. */
let ajv: Ajv | undefined;

/** Compiled validators by schema text: compiling costs far more than validating, and specs repeat. */
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) {
    ajv ??= new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: false });
    fn = ajv.compile(schema);
    if (compiled.size >= 512) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, fn);
  }
  return fn;
}

/** Names of the run parameters a spec declares. */
export function declaredParams(spec: Pick<PipelineSpec, 'params'>): Set<string> {
  const props = spec.params?.properties;
  return new Set(props && typeof props === 'object' ? Object.keys(props) : []);
}

/** Problems with the run-parameter JSON Schema itself. */
export function checkParamsSchema(spec: Pick<PipelineSpec, 'params'>): Problem[] {
  if (!spec.params) return [];
  try {
    validatorFor(spec.params);
    return [];
  } catch (err) {
    return [{ path: 'params', message: `not a valid JSON Schema: ${(err as Error).message}` }];
  }
}

/**
 * The run's parameter values: `given` checked against the spec's JSON Schema, defaults filled in.
 * Returns every problem at once instead of values when any is wrong.
 */
export function resolveRunParams(
  spec: Pick<PipelineSpec, 'params'>,
  given: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; problems: Problem[] } {
  const declared = declaredParams(spec);
  const problems: Problem[] = [];
  for (const key of Object.keys(given)) {
    if (!declared.has(key)) {
      const known = [...declared].join(', ') || 'none';
      problems.push({ path: `params.${key}`, message: `the pipeline has no run parameter "${key}" (declared: ${known})` });
    }
  }
  const values = structuredClone(given);
  if (spec.params) {
    const validate = validatorFor(spec.params);
    if (!validate(values)) problems.push(...(validate.errors ?? []).map(ajvProblem));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function ajvProblem(error: ErrorObject): Problem {
  const where = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => `.${s}`)
    .join('');
  const missing = error.keyword === 'required' ? `.${(error.params as { missingProperty: string }).missingProperty}` : '';
  const path = `params${where}${missing}`;
  const message = error.keyword === 'required' ? 'is required and has no default' : (error.message ?? 'is invalid');
  return { path, message };
}

/**
 * Coerces a command-line `k=v` value to the type the schema declares for `k`
 * (numbers, booleans, JSON for arrays and objects; strings as given).
 */
export function coerceParam(spec: Pick<PipelineSpec, 'params'>, key: string, raw: string): unknown {
  const prop = (spec.params?.properties as Record<string, { type?: unknown }> | undefined)?.[key];
  const type = prop?.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('string')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
