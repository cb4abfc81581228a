import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { paramJsonSchema } from '../common/params';
import type { Authenticator } from '../auth/authenticator';
import { replyIfUnavailable } from '../common/dependency-errors';
import type { ServingRuntime } from './serving-runtime';

export const PREDICT_PATH = '/api/v1/deployments/:name/predict';

/**
 * `POST /api/v1/deployments/:name/predict` {instances: [{column: value}, …]} → {predictions,
 * probabilities, modelVersion, ids}, for a `viewer` token. The hot path of serving, so it is a plain
 * Fastify route (same auth, same error bodies) rather than a Nest controller method: Nest's router,
 * guards and interceptors cost more per request than the inference of a small model.
 */
export function registerPredictRoute(fastify: FastifyInstance, runtime: ServingRuntime, auth: Authenticator): void {
  fastify.post<{ Params: { name: string } }>(PREDICT_PATH, async (req, reply) => {
    try {
      await auth.authenticate(req.headers.authorization, 'viewer');
      const body = req.body as { instances?: unknown } | null | undefined;
      // The app keeps every JSON body's raw bytes (for webhook signatures); the prediction log reuses them.
      const raw = (req as { rawBody?: Buffer }).rawBody;
      return await runtime.predict(req.params.name, body && typeof body === 'object' ? body.instances : undefined, raw);
    } catch (error) {
      if (replyIfUnavailable(error, reply)) return reply;
      if (!(error instanceof HttpException)) throw error;
      return reply.code(error.getStatus()).send(error.getResponse());
    }
  });
}

/** The route's entry in the OpenAPI document (Nest's scanner does not see plain Fastify routes). */
export const predictOpenApi = {
  post: {
    tags: ['deployments'],
    summary: 'Predicts with the version a deployment serves (canary split and shadow mirroring applied).',
    security: [{ bearer: [] }],
    parameters: [{ name: 'name', in: 'path', required: true, schema: paramJsonSchema('name') }],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['instances'],
            properties: { instances: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Rows of raw feature columns, {column: value}; null is a missing value.' } },
          },
        },
      },
    },
    responses: {
      '200': { description: '{predictions, probabilities (per class, or null for regression), modelVersion, ids (for feedback)}' },
      '400': { description: 'A missing, unknown or mistyped column (a value of another JSON type than the column, or a non-finite number), named with its instance.' },
      '404': { description: 'No such deployment.' },
      '503': { description: 'The deployment has no ready version, or the database is unreachable (with Retry-After).' },
    },
  },
};
