import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { pipelineSpecJsonSchema } from '@kiln/engine';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../auth/roles';
import { ZodBody } from '../common/zod-body';
import { PipelineService } from './pipeline-service';
import { ScheduleService } from '../schedules/schedule-service';
import { IdParam, ZodQuery } from '../common/params';

const specBody = z.object({ spec: z.unknown().refine((v) => v !== undefined, 'spec is required') });
const listQuery = z.object({ archived: z.enum(['true', 'false']).optional().describe('true lists archived pipelines too') });
const specBodySchema = { type: 'object', required: ['spec'], properties: { spec: pipelineSpecJsonSchema() } };

@ApiTags('pipelines')
@ApiBearerAuth()
@Controller('pipelines')
export class PipelineController {
  constructor(
    @Inject(PipelineService) private readonly pipelines: PipelineService,
    @Inject(ScheduleService) private readonly schedules: ScheduleService,
  ) {}

  @Post()
  @ApiBody({ schema: specBodySchema })
  create(@Body(new ZodBody(specBody)) body: z.output<typeof specBody>, @CurrentActor() actor: Actor) {
    return this.pipelines.create(body.spec, actor);
  }

  @Get()
  list(@ZodQuery(listQuery) query: z.output<typeof listQuery>) {
    return this.pipelines.list(query.archived === 'true');
  }

  @Get(':id')
  async get(@IdParam('id', 'uuid') id: string) {
    const { layout: _layout, ...pipeline } = await this.pipelines.get(id);
    const latest = await this.pipelines.drawnVersion(id);
    return { ...pipeline, spec: latest.spec, hash: latest.hash };
  }

  @Put(':id')
  @ApiBody({ schema: specBodySchema })
  async update(@IdParam('id', 'uuid') id: string, @Body(new ZodBody(specBody)) body: z.output<typeof specBody>, @CurrentActor() actor: Actor) {
    const result = await this.pipelines.update(id, body.spec, actor);
    // Schedules run the pipeline, so they follow its latest version.
    if (result.created) await this.schedules.follow(id);
    return result;
  }

  @Get(':id/versions')
  versions(@IdParam('id', 'uuid') id: string) {
    return this.pipelines.versions(id);
  }

  @Get(':id/versions/:version')
  version(@IdParam('id', 'uuid') id: string, @IdParam('version', 'version') version: number) {
    return this.pipelines.drawnVersion(id, version);
  }

  @Delete(':id')
  @HttpCode(204)
  archive(@IdParam('id', 'uuid') id: string, @CurrentActor() actor: Actor) {
    return this.pipelines.archive(id, actor);
  }
}
