// Checks every request makes before its route runs: text that PostgreSQL cannot store (NUL) or that is
// not UTF-8, and JSON nested deeper than anything Kiln reads (recursive walks would overflow the stack).
import { isUtf8 } from 'node:buffer';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** How deep a JSON body may nest (objects and arrays); specs and params need far less. */
export const MAX_JSON_DEPTH = 64;

/** A JSON path for messages: `spec.nodes[2].params`. */
function pathOf(parts: readonly (string | number)[]): string {
  let s = '';
  for (const p of parts) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(the body)';
}

const hasNul = (s: string) => s.includes('\u0000');

/**
 * The first problem of a parsed JSON body: nesting deeper than {@link MAX_JSON_DEPTH}, or a NUL in a
 * string or a key. Iterative, so a body nested 100,000 deep costs no stack.
 */
export function jsonBodyProblem(body: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (typeof body === 'string')
    return hasNul(body) ? 'the body holds a NUL character (\\u0000), which Kiln does not store' : undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const stack: { value: object; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (path.length >= maxDepth) return `the body nests deeper than ${maxDepth} levels at ${pathOf(path)}`;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [key, v] of entries) {
      if (typeof key === 'string' && hasNul(key))
        return `the key ${JSON.stringify(key)} at ${pathOf(path)} holds a NUL character (\\u0000)`;
      if (typeof v === 'string') {
        if (hasNul(v))
          return `${pathOf([...path, key])} holds a NUL character (\\u0000), which Kiln does not store`;
      } else if (typeof v === 'object' && v !== null) stack.push({ value: v, path: [...path, key] });
    }
  }
  return undefined;
}

/** The first NUL in path or query parameters (`path parameter "runId"`). */
function textProblem(values: unknown, where: 'path' | 'query'): string | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const [name, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && hasNul(v))
        return `${where} parameter "${name}" holds a NUL character (%00)`;
      if (typeof v === 'string' && v.includes('\uFFFD'))
        return `${where} parameter "${name}" is not valid UTF-8 (percent-encoded bytes that do not decode)`;
    }
  }
  return undefined;
}

/** The first problem of a request, as a sentence, or undefined. */
export function requestProblem(req: FastifyRequest): string | undefined {
  const problem = textProblem(req.params, 'path') ?? textProblem(req.query, 'query');
  if (problem) return problem;
  const raw = (req as { rawBody?: Buffer }).rawBody;
  if (raw && !isUtf8(raw)) return 'the body is not valid UTF-8';
  return jsonBodyProblem(req.body);
}

/**
 * A Fastify `preValidation` hook answering 400 (the API's error body) for {@link requestProblem}s.
 * Routes in `skip` (the predict hot path, which checks its own input value by value) are left alone.
 */
export function requestChecks(skip: ReadonlySet<string>) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (skip.has(req.routeOptions.url ?? '')) return done();
    const problem = requestProblem(req);
    if (!problem) return done();
    reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: problem });
  };
}
