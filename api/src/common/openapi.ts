// The OpenAPI document as tools read it: OpenAPI 3.1 (whose schemas are JSON Schema 2020-12, what zod
// emits), every JSON success response described by its @kiln/api-types schema, every error response
// with the one error body, and 405 for methods a path lacks.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { RESPONSES, errorBody } from '@kiln/api-types';
import { z } from 'zod';
import { openApiSchema } from './zod-body';

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is malformed: a parameter or body field of the wrong type, range or pattern (named in the message).',
  401: 'No token, or an unknown or revoked one (for webhooks: no valid signature).',
  403: "The token's role may not do this.",
  404: 'No such resource.',
  405: 'The path exists, but not with this method.',
  409: 'The resource is in a state that does not allow this (archived, already ended, taken name).',
  413: 'The body is larger than 5 MB.',
  414: 'A path parameter is longer than 512 characters.',
  415: 'The body is not JSON.',
  422: 'The request is well-formed but refused by a domain check (spec or parameter problems, listed).',
  429: 'Too many requests; retry later.',
  503: 'A dependency (database, Temporal, a model) is unavailable; retry after the Retry-After header.',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
type Operation = {
  parameters?: { in: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};

/** The error statuses an operation may answer, from what it takes and who may call it. */
function errorStatuses(path: string, method: string, op: Operation): number[] {
  if (path === '/healthz') return [];
  const statuses = new Set<number>([400, 503]);
  if (op.security?.length) {
    statuses.add(401);
    statuses.add(403);
  }
  if (path.startsWith('/api/v1/hooks/')) {
    statuses.add(401);
    statuses.add(429);
  }
  if (path.endsWith('/predict')) statuses.add(429);
  if (op.parameters?.some((p) => p.in === 'path')) {
    statuses.add(404);
    statuses.add(414);
  }
  if (method !== 'get') {
    statuses.add(409);
    statuses.add(422);
  }
  if (op.requestBody || path.startsWith('/api/v1/hooks/')) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort();
}

/** Rewrites OpenAPI 3.0 forms Nest's scanner emits into their 3.1 (JSON Schema) equivalents. */
function toJsonSchema2020(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(toJsonSchema2020);
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o.nullable === true) {
    delete o.nullable;
    if (typeof o.type === 'string') o.type = [o.type, 'null'];
  }
  if ('$schema' in o && typeof o.$schema === 'string') delete o.$schema;
  for (const v of Object.values(o)) toJsonSchema2020(v);
}

/**
 * Finishes the document Nest's scanner made: OpenAPI 3.1, each JSON answer's schema (`RESPONSES` of
 * @kiln/api-types, in zod's input form: what a client parses off the wire, so a default is not required), the `Error` schema, every error response an operation can give documented with it, and schemas in their JSON Schema 2020-12 forms.
 */
export function finishOpenApi(document: OpenAPIObject): OpenAPIObject {
  document.openapi = '3.1.0';
  toJsonSchema2020(document.paths);
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Error: openApiSchema(errorBody) as never };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      op.responses ??= {};
      const answer = (RESPONSES as Record<string, z.ZodType>)[`${method.toUpperCase()} ${path}`];
      if (answer) {
        const success = Object.keys(op.responses).find((s) => s.startsWith('2')) ?? '200';
        const existing = op.responses[success];
        op.responses[success] = {
          description: existing?.description || 'OK',
          // Other content types (a stream of server-sent events beside the JSON) are kept.
          content: { ...existing?.content, 'application/json': { schema: openApiSchema(answer) } },
        };
      }
      for (const status of errorStatuses(path, method, op)) {
        const existing = op.responses[String(status)];
        op.responses[String(status)] = {
          description: existing?.description || STATUS_TEXT[status] || 'Error',
          content: { 'application/json': { schema: ERROR_REF } },
        };
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && !response.content)
          response.content = { 'application/json': { schema: ERROR_REF } };
      }
    }
  }
  return document;
}

/**
 * Answers 405 (with `Allow`) for methods a documented path does not take, instead of Fastify's 404.
 * Call before the app listens.
 */
export function registerMethodNotAllowed(fastify: FastifyInstance, document: OpenAPIObject): void {
  // Every method Fastify routes (QUERY, PROPFIND, … included), not only the common ones.
  const all = fastify.supportedMethods.filter((m) => m !== 'CONNECT');
  for (const [path, item] of Object.entries(document.paths)) {
    const allowed = new Set(
      METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => m.toUpperCase()),
    );
    if (allowed.has('GET')) allowed.add('HEAD');
    const missing = all.filter((m) => !allowed.has(m));
    if (missing.length === 0) continue;
    const allow = [...allowed].join(', ');
    const refuse = (req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(405)
        .header('allow', allow)
        .send({
          statusCode: 405,
          error: 'Method Not Allowed',
          message: `${req.method} is not allowed on ${path}; it takes ${allow}`,
        });
    fastify.route({
      method: [...missing],
      url: path.replace(/\{([^}]+)\}/g, ':$1'),
      // At onRequest, before the body is read: QUERY, for one, would otherwise be refused for lacking a content type.
      onRequest: (req, reply, done) => {
        void refuse(req, reply);
        done();
      },
      handler: refuse,
    });
  }
}
