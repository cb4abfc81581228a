import { Controller, Get, HttpException, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Client } from '@temporalio/client';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/roles';
import { DATA_SOURCE, TEMPORAL_CLIENT } from '../database';
import { API_METRICS, type ApiMetrics } from './metrics';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
  ) {}

  /** The process is up. */
  @Public()
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** The database and Temporal both answer. */
  @Public()
  @Get('readyz')
  async ready() {
    const checks: Record<string, string> = {};
    await this.db.query('SELECT 1').then(
      () => (checks.database = 'ok'),
      (err: Error) => (checks.database = err.message),
    );
    await this.temporal.workflowService.getSystemInfo({}).then(
      () => (checks.temporal = 'ok'),
      (err: Error) => (checks.temporal = err.message),
    );
    const ok = Object.values(checks).every((v) => v === 'ok');
    if (!ok) throw new HttpException({ statusCode: 503, status: 'not ready', checks }, 503);
    return { status: 'ready', checks };
  }

  /** Prometheus metrics. */
  @ApiBearerAuth()
  @Get('metrics')
  async prometheus(@Res() reply: FastifyReply) {
    reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
