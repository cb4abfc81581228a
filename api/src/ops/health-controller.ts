import { Controller, Get, HttpException, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Client } from '@temporalio/client';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { ArtifactStore } from '@kiln/artifacts';
import { Public } from '../auth/roles';
import { RETRY_AFTER_SECONDS } from '../common/dependency-errors';
import { ARTIFACT_STORE, DATA_SOURCE, TEMPORAL_CLIENT } from '../database';
import { API_METRICS, type ApiMetrics } from './metrics';

/** Longest a readiness check waits for one dependency. */
const CHECK_MS = 1_500;
/** A digest nothing is stored under: `has` on it asks the store a question without reading bytes. */
const PROBE_DIGEST = `sha256:${'0'.repeat(64)}`;

/** "ok", or why the check failed (its error, or that it did not answer in time). */
async function check(what: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${CHECK_MS} ms`), CHECK_MS)));
  try {
    return await Promise.race([what().then(() => 'ok', (err: Error) => err.message || String(err)), late]);
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {}

  /** The process is up. */
  @Public()
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /**
   * The database, Temporal and the artifact store all answer (each check bounded, run together):
   * 200 `{status: 'ready', checks}`, else 503 with `Retry-After`, `down` naming the dependencies
   * that did not answer and `checks` saying why.
   */
  @Public()
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, temporal, artifactStore] = await Promise.all([
      check(() => this.db.query('SELECT 1')),
      check(() => this.temporal.workflowService.getSystemInfo({})),
      check(() => this.store.has(PROBE_DIGEST)),
    ]);
    const checks = { database, temporal, 'artifact store': artifactStore };
    const down = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
    if (down.length > 0) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw new HttpException({ statusCode: 503, error: 'Service Unavailable', status: 'not ready', message: `unreachable: ${down.join(', ')}`, down, checks }, 503);
    }
    return { status: 'ready', checks };
  }

  /** Prometheus metrics. */
  @ApiBearerAuth()
  @Get('metrics')
  async prometheus(@Res() reply: FastifyReply) {
    reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
