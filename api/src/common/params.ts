// Path and query parameters: one definition per id kind, used both to check a request before any
// query runs (a 400 naming the parameter) and to describe the parameter in the OpenAPI document.
import { Param, type PipeTransform, Query } from '@nestjs/common';
import { ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { NODE_ID_PATTERN, NODE_TYPE_NAME_PATTERN, WORKER_ID_PATTERN } from '@kiln/engine';
import { badRequest } from './http-errors';
import { openApiSchema } from './zod-body';

/** The largest value of a PostgreSQL `integer` (versions are stored as int4). */
export const INT32_MAX = 2_147_483_647;

/** A version number as a JSON value (bodies): 1 … 2^31-1. */
export const versionNumber = z.int().min(1).max(INT32_MAX);

/** Names of models and deployments. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Run (workflow) ids Kiln makes: `<slug>-<uuid>`, `run-<hash>`, `hook-…`, `<schedule>-<ISO time>`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}$/;
/** Schedule ids (`kiln-<pipeline prefix>-<hex>`; Temporal schedule ids in general). */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}$/;
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

const pattern = (re: RegExp, what: string) => z.string().regex(re, `${what} (pattern ${re.source})`);

/** Every kind of id a path may carry, as zod schemas over the path's text. */
export const PARAM_KINDS = {
  uuid: z.guid('expected a UUID (8-4-4-4-12 hex digits)'),
  version: z
    .string()
    .regex(/^[0-9]{1,10}$/, 'expected a version number (1 to 2147483647)')
    .transform(Number)
    .pipe(z.int().min(1, 'versions start at 1').max(INT32_MAX, `versions are at most ${INT32_MAX}`)),
  name: pattern(
    NAME_PATTERN,
    'expected a name of letters, digits, _ . - (up to 100, starting with a letter or digit)',
  ),
  runId: pattern(RUN_ID_PATTERN, 'expected a run id'),
  nodeId: pattern(NODE_ID_PATTERN, 'expected a node id'),
  scheduleId: pattern(SCHEDULE_ID_PATTERN, 'expected a schedule id'),
  digest: pattern(DIGEST_PATTERN, 'expected a digest (sha256:<64 hex digits>)'),
  workerId: pattern(WORKER_ID_PATTERN, 'expected a worker id of letters, digits, . _ : @ - (up to 200, starting with a letter or digit)'),
  nodeType: pattern(NODE_TYPE_NAME_PATTERN, 'expected a node type ("<category>.<name>")'),
} as const;
export type ParamKind = keyof typeof PARAM_KINDS;

/** The OpenAPI schema of a parameter kind (versions are integers on the wire's contract). */
export function paramJsonSchema(kind: ParamKind): Record<string, unknown> {
  if (kind === 'version') return { type: 'integer', minimum: 1, maximum: INT32_MAX };
  if (kind === 'uuid') return { type: 'string', format: 'uuid' };
  return openApiSchema(PARAM_KINDS[kind]);
}

function problemsOf(error: z.ZodError, where: string, name: string) {
  return error.issues.map((i) => ({
    path: [name, ...i.path.map(String)].join('.'),
    message: i.message,
    in: where,
  }));
}

/** Checks one path parameter against its kind. */
export class PathParamPipe implements PipeTransform<string, unknown> {
  constructor(
    private readonly kind: ParamKind,
    private readonly name: string,
  ) {}

  transform(value: string): unknown {
    const result = PARAM_KINDS[this.kind].safeParse(value);
    if (result.success) return result.data;
    const problems = problemsOf(result.error, 'path', this.name);
    throw badRequest(
      `invalid path parameter "${this.name}" (${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value)}): ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }
}

/**
 * A path parameter of a given kind: checked before the handler runs (400 naming it) and documented
 * in the OpenAPI document with its type, format or pattern.
 */
export function IdParam(name: string, kind: ParamKind): ParameterDecorator {
  return (target, key, index) => {
    Param(name, new PathParamPipe(kind, name))(target, key, index);
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({ name, required: true, schema: paramJsonSchema(kind) as never })(target, key!, descriptor);
  };
}

/**
 * The whole query string as a zod object: checked (400 naming each bad parameter, unknown ones
 * stripped) and documented parameter by parameter, optional where the schema says so.
 */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  const json = openApiSchema(schema) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  const pipe: PipeTransform = {
    transform(value: unknown) {
      const result = schema.safeParse(value ?? {});
      if (result.success) return result.data;
      const problems = result.error.issues.map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
        in: 'query',
      }));
      throw badRequest(
        `invalid query: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`,
        problems,
      );
    },
  };
  return (target, key, index) => {
    Query(pipe)(target, key, index);
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      ApiQuery({ name, required: required.has(name), schema: property as never })(target, key!, descriptor);
    }
  };
}
