import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../auth/roles';
import { ZodBody, openApiSchema } from '../common/zod-body';
import { ModelService } from './model-service';
import { IdParam, PARAM_KINDS } from '../common/params';

const registerBody = z.object({
  runId: PARAM_KINDS.runId,
  nodeId: PARAM_KINDS.nodeId,
  metricsNodeId: PARAM_KINDS.nodeId.optional(),
  description: z.string().max(5000).optional(),
});
const promoteBody = z.object({ stage: z.enum(['staging', 'production', 'archived']).default('production') });

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
  get(@IdParam('name', 'name') name: string) {
    return this.models.get(name);
  }

  /** Registers the model of a succeeded run's node as the next version. */
  @Post(':name/versions')
  @ApiBody({ schema: openApiSchema(registerBody) })
  register(@IdParam('name', 'name') name: string, @Body(new ZodBody(registerBody)) body: z.output<typeof registerBody>, @CurrentActor() actor: Actor) {
    return this.models.register(name, body, actor);
  }

  /** A version with its lineage and model card. */
  @Get(':name/versions/:version')
  version(@IdParam('name', 'name') name: string, @IdParam('version', 'version') version: number) {
    return this.models.version(name, version);
  }

  @Post(':name/versions/:version/promote')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(promoteBody) })
  promote(@IdParam('name', 'name') name: string, @IdParam('version', 'version') version: number, @Body(new ZodBody(promoteBody)) body: z.output<typeof promoteBody>, @CurrentActor() actor: Actor) {
    return this.models.promote(name, version, body.stage, actor);
  }

  @Post(':name/rollback')
  @HttpCode(200)
  rollback(@IdParam('name', 'name') name: string, @CurrentActor() actor: Actor) {
    return this.models.rollback(name, actor);
  }
}
