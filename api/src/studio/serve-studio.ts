import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build -w @kiln/studio` writes the studio. */
export const STUDIO_DIST = resolve(import.meta.dirname, '../../../studio/dist');

/**
 * Serves the built studio at `/` when `studio/dist` exists, with every other non-API GET answered by
 * index.html so the studio's own routes survive a reload. The files are public; API calls need a token.
 */
export async function serveStudio(fastify: FastifyInstance, root = STUDIO_DIST): Promise<boolean> {
  if (!existsSync(resolve(root, 'index.html'))) return false;
  await fastify.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  // A catch-all route, not a not-found handler: Nest installs its own not-found handler later.
  fastify.get('/*', (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path === '/api' || path.startsWith('/api/')) {
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `Route GET:${path} not found` });
    }
    return reply.type('text/html').sendFile('index.html');
  });
  return true;
}
