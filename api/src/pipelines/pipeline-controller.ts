import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { pipelineSpecJsonSchema } from '@kiln/engine';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../auth/roles';
import { ZodBody } from '../common/zod-body';
import { PipelineService } from './pipeline-service';
import { ScheduleService } from '../schedules/schedule-service';

const specBody = z.object({ spec: z.unknown().refine((v) => v !== undefined, 'spec is required') });
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
  list(@Query('archived') archived?: string) {
    return this.pipelines.list(archived === 'true');
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const pipeline = await this.pipelines.get(id);
    const latest = await this.pipelines.version(id);
    return { ...pipeline, spec: latest.spec, hash: latest.hash };
  }

  @Put(':id')
  @ApiBody({ schema: specBodySchema })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body(new ZodBody(specBody)) body: z.output<typeof specBody>, @CurrentActor() actor: Actor) {
    const result = await this.pipelines.update(id, body.spec, actor);
    // Schedules run the pipeline, so they follow its latest version.
    if (result.created) await this.schedules.follow(id);
    return result;
  }

  @Get(':id/versions')
  versions(@Param('id', ParseUUIDPipe) id: string) {
    return this.pipelines.versions(id);
  }

  @Get(':id/versions/:version')
  version(@Param('id', ParseUUIDPipe) id: string, @Param('version', ParseIntPipe) version: number) {
    return this.pipelines.version(id, version);
  }

  @Delete(':id')
  @HttpCode(204)
  archive(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.pipelines.archive(id, actor);
  }
}
