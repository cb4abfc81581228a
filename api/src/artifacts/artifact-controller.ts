import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ArtifactNotFoundError, type ArtifactStore } from '@kiln/artifacts';
import { notFound } from '../common/http-errors';
import { ARTIFACT_STORE } from '../database';
import { IdParam } from '../common/params';

@ApiTags('artifacts')
@ApiBearerAuth()
@Controller('artifacts')
export class ArtifactController {
  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}

  /** Streams an artifact; the digest is verified as it streams (a corrupted artifact ends in an error). */
  @Get(':digest')
  async get(@IdParam('digest', 'digest') digest: string, @Res() reply: FastifyReply) {
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
