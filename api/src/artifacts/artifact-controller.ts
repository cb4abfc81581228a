import { Controller, Get, HttpException, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ArtifactNotFoundError, type ArtifactStore } from '@kiln/activities/store';
import { notFound } from '../common/http-errors';
import { ARTIFACT_STORE } from '../database';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

@ApiTags('artifacts')
@ApiBearerAuth()
@Controller('artifacts')
export class ArtifactController {
  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}

  /** Streams an artifact; the digest is verified as it streams (a corrupted artifact ends in an error). */
  @Get(':digest')
  async get(@Param('digest') digest: string, @Res() reply: FastifyReply) {
    if (!DIGEST.test(digest)) {
      throw new HttpException({ statusCode: 400, error: 'Bad Request', message: `"${digest}" is not a digest (sha256:<64 hex>)` }, 400);
    }
    try {
      const stream = await this.store.open(digest);
      reply.header('content-type', 'application/octet-stream').header('etag', `"${digest}"`).header('cache-control', 'public, max-age=31536000, immutable');
      return reply.send(stream);
    } catch (err) {
      if (err instanceof ArtifactNotFoundError) throw notFound(`artifact ${digest}`);
      throw err;
    }
  }
}
