import { Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../auth/roles';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { ModelService } from './model-service';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const registerBody = z.object({
  runId: z.string().min(1),
  nodeId: z.string().min(1),
  metricsNodeId: z.string().min(1).optional(),
  description: z.string().max(5000).optional(),
});
const promoteBody = z.object({ stage: z.enum(['staging', 'production', 'archived']).default('production') });
const nameParam = z.string().regex(NAME, 'a model name holds letters, digits, _ . - (up to 100)');

@ApiTags('models')
@ApiBearerAuth()
@Controller('models')
export class ModelController {
  constructor(@Inject(ModelService) private readonly models: ModelService) {}

  @Get()
  list() {
    return this.models.list();
  }

  @Get(':name')
  get(@Param('name', new ZodBody(nameParam, 'query')) name: string) {
    return this.models.get(name);
  }

  /** Registers the model of a succeeded run's node as the next version. */
  @Post(':name/versions')
  @ApiBody({ schema: openApiSchema(registerBody) })
  register(@Param('name', new ZodBody(nameParam, 'query')) name: string, @Body(new ZodBody(registerBody)) body: z.output<typeof registerBody>, @CurrentActor() actor: Actor) {
    return this.models.register(name, body, actor);
  }

  /** A version with its lineage and model card. */
  @Get(':name/versions/:version')
  version(@Param('name') name: string, @Param('version', ParseIntPipe) version: number) {
    return this.models.version(name, version);
  }

  @Post(':name/versions/:version/promote')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(promoteBody) })
  promote(@Param('name') name: string, @Param('version', ParseIntPipe) version: number, @Body(new ZodBody(promoteBody)) body: z.output<typeof promoteBody>, @CurrentActor() actor: Actor) {
    return this.models.promote(name, version, body.stage, actor);
  }

  @Post(':name/rollback')
  @HttpCode(200)
  rollback(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return this.models.rollback(name, actor);
  }
}
