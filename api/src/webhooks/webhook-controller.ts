import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import { type Actor, Public } from '../auth/roles';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { WebhookService } from './webhook-service';
import { IdParam } from '../common/params';

const webhookBody = z.object({
  paramMapping: z.record(z.string().min(1), z.string().min(1)).default({}),
});

@ApiTags('webhooks')
@Controller()
export class WebhookController {
  constructor(@Inject(WebhookService) private readonly webhooks: WebhookService) {}

  @ApiBearerAuth()
  @Post('pipelines/:id/webhooks')
  @ApiBody({ schema: openApiSchema(webhookBody) })
  create(@IdParam('id', 'uuid') id: string, @Body(new ZodBody(webhookBody)) body: z.output<typeof webhookBody>, @CurrentActor() actor: Actor) {
    return this.webhooks.create(id, body.paramMapping, actor);
  }

  @ApiBearerAuth()
  @Get('pipelines/:id/webhooks')
  list(@IdParam('id', 'uuid') id: string) {
    return this.webhooks.list(id);
  }

  @ApiBearerAuth()
  @Delete('webhooks/:id')
  @HttpCode(204)
  remove(@IdParam('id', 'uuid') id: string, @CurrentActor() actor: Actor) {
    return this.webhooks.remove(id, actor);
  }

  /** A signed delivery (Standard Webhooks); 202 with the run it started (or already started). */
  @Public()
  @Post('hooks/:id')
  @HttpCode(202)
  deliver(@IdParam('id', 'uuid') id: string, @Headers() headers: Record<string, string>, @Req() req: RawBodyRequest<FastifyRequest>) {
    return this.webhooks.deliver(id, headers, req.rawBody);
  }
}
