import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, IsNull, Not } from 'typeorm';
import { Webhook, WebhookDelivery, type WebhookRecord } from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import { type Actor, personRole } from '../auth/roles';
import { ProblemsException, notFound } from '../common/http-errors';
import { type KeyRing, SECRET_KEYS, sealedKeyId } from '../common/secret-keys';
import { API_CONFIG, type ApiConfig } from '../config';
import { DATA_SOURCE } from '../database';
import { API_METRICS, type ApiMetrics } from '../ops/metrics';
import { PipelineService } from '../pipelines/pipeline-service';
import { RunService } from '../runs/run-service';
import { mapPayload } from './param-mapping';
import { RateLimiter } from './rate-limiter';
import { verify } from './standard-webhooks';

const unauthorized = (reason: string) => new HttpException({ statusCode: 401, error: 'Unauthorized', message: `webhook signature refused: ${reason}` }, 401);

/** The context a webhook's sealed secret is bound to (it opens only in its own row). */
const secretContext = (id: string) => `webhook:${id}`;

/** Webhooks that start runs from signed deliveries. */
@Injectable()
export class WebhookService implements OnApplicationBootstrap {
  private readonly limiter: RateLimiter;
  private readonly log = new Logger('WebhookService');

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(PipelineService) private readonly pipelines: PipelineService,
    @Inject(RunService) private readonly runs: RunService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
    @Inject(SECRET_KEYS) private readonly keys: KeyRing,
  ) {
    this.limiter = new RateLimiter(config.hookRatePerSecond);
  }

  /** At start: seals plaintext secrets (rows from before sealing) and re-seals rows of other keys. */
  async onApplicationBootstrap(): Promise<void> {
    const sealed = await this.resealSecrets();
    if (sealed > 0) this.log.log(`sealed ${sealed} webhook secret(s) with key "${this.keys.current.id}"`);
  }

  /**
   * Seals every webhook secret with the current key: plaintext rows (before migration 0004) and rows
   * sealed with an older key of the ring (rotation). Rows whose key the ring lacks are left as they are
   * (and reported): their deliveries answer 503 until that key is listed again. Each update is
   * conditional on the value read, so API processes starting together do not undo each other.
   */
  async resealSecrets(): Promise<number> {
    const repo = this.db.getRepository(Webhook);
    const rows = [...(await repo.findBy({ secretKeyId: IsNull() })), ...(await repo.findBy({ secretKeyId: Not(this.keys.current.id) }))];
    let count = 0;
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = sealedKeyId(row.secret) === undefined ? row.secret : this.keys.open(row.secret, secretContext(row.id));
      } catch (err) {
        this.log.error(`webhook ${row.id}: cannot open its secret: ${(err as Error).message}`);
        continue;
      }
      const result = await repo.update({ id: row.id, secret: row.secret }, { secret: this.keys.seal(plaintext, secretContext(row.id)), secretKeyId: this.keys.current.id });
      count += result.affected ?? 0;
    }
    return count;
  }

  urlOf(id: string): string {
    const base = this.config.publicUrl ?? `http://${this.config.host}:${this.config.port}`;
    return `${base.replace(/\/$/, '')}/api/v1/hooks/${id}`;
  }

  /** Makes a webhook; the secret is in this answer only. */
  async create(pipelineId: string, paramMapping: Record<string, string>, actor: Actor) {
    const pipeline = await this.pipelines.get(pipelineId);
    if (pipeline.archivedAt) throw notFound(`pipeline ${pipelineId}`);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const record: WebhookRecord = {
      id,
      pipelineId,
      secret: this.keys.seal(secret, secretContext(id)),
      secretKeyId: this.keys.current.id,
      paramMapping,
      createdAt: new Date(),
      createdBy: actor.name,
      createdRole: personRole(actor) ?? null,
      deletedAt: null,
    };
    await this.db.getRepository(Webhook).insert(record);
    await this.audit.record(actor, 'webhook.create', `webhook:${record.id}`, { pipelineId, paramMapping });
    return { id: record.id, pipelineId, url: this.urlOf(record.id), secret, paramMapping };
  }

  async list(pipelineId: string) {
    const rows = await this.db.getRepository(Webhook).findBy({ pipelineId, deletedAt: IsNull() });
    return rows.map(({ secret: _secret, secretKeyId: _key, ...rest }) => ({ ...rest, url: this.urlOf(rest.id) }));
  }

  async remove(id: string, actor: Actor) {
    const result = await this.db.getRepository(Webhook).update({ id, deletedAt: IsNull() }, { deletedAt: new Date() });
    if (!result.affected) throw notFound(`webhook ${id}`);
    await this.audit.record(actor, 'webhook.delete', `webhook:${id}`);
  }

  /** A webhook's signing secret, opened (503 when this process lacks the key that sealed it). */
  private secretOf(hook: WebhookRecord): string {
    if (sealedKeyId(hook.secret) === undefined) return hook.secret; // not sealed yet (sealed at the next start)
    try {
      return this.keys.open(hook.secret, secretContext(hook.id));
    } catch (err) {
      this.log.error(`webhook ${hook.id}: ${(err as Error).message}`);
      throw new HttpException(
        { statusCode: 503, error: 'Service Unavailable', message: `webhook ${hook.id}: its secret cannot be opened by this API process (KILN_SECRET_KEY lacks its key)` },
        503,
      );
    }
  }

  /**
   * Takes a delivery: signature, payload → params, then at most one run per `webhook-id`, ever
   * (a table row keyed by it, and a workflow id derived from it that Temporal never reuses).
   */
  async deliver(id: string, headers: Record<string, string | string[] | undefined>, rawBody: Buffer | undefined) {
    if (!this.limiter.take(id)) {
      this.metrics.webhookDeliveries.inc({ outcome: 'limited' });
      throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `webhook ${id} is over ${this.config.hookRatePerSecond} deliveries a second` }, 429);
    }
    const hook = await this.db.getRepository(Webhook).findOneBy({ id, deletedAt: IsNull() });
    // An unknown webhook answers like a bad signature: no probing for ids.
    if (!hook) throw unauthorized('unknown webhook or no webhook-signature matches');
    const body = rawBody ?? Buffer.alloc(0);
    const verdict = verify(this.secretOf(hook), headers, body);
    if (!verdict.ok) {
      this.metrics.webhookDeliveries.inc({ outcome: 'unauthorized' });
      throw unauthorized(verdict.reason);
    }
    let payload: unknown;
    try {
      payload = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch (err) {
      this.metrics.webhookDeliveries.inc({ outcome: 'invalid' });
      throw new HttpException({ statusCode: 400, error: 'Bad Request', message: `the payload is not JSON: ${(err as Error).message}` }, 400);
    }
    const mapped = mapPayload(hook.paramMapping, payload);
    if (mapped.problems.length) {
      this.metrics.webhookDeliveries.inc({ outcome: 'invalid' });
      throw new ProblemsException('the payload does not give the mapped run parameters', mapped.problems);
    }
    const runId = `hook-${hook.id.slice(0, 8)}-${createHash('sha256').update(`${hook.id}\u0000${verdict.id}`).digest('hex').slice(0, 32)}`;
    const prior = await this.db.getRepository(WebhookDelivery).findOneBy({ webhookId: hook.id, messageId: verdict.id });
    if (prior) {
      this.metrics.webhookDeliveries.inc({ outcome: 'duplicate' });
      return { runId: prior.runId, duplicate: true };
    }
    const started = await this.runs.start({
      pipelineId: hook.pipelineId,
      params: mapped.params,
      trigger: 'webhook',
      actor: `webhook ${hook.id}`,
      // Deliveries act as the webhook's creator, with the role they had then (as schedules do).
      startedBy: { name: hook.createdBy, ...(hook.createdRole ? { role: hook.createdRole } : {}) },
      source: hook.id,
      uniqueRunId: runId,
    });
    await this.db
      .createQueryBuilder()
      .insert()
      .into(WebhookDelivery)
      .values({ webhookId: hook.id, messageId: verdict.id, runId, receivedAt: new Date() })
      .orIgnore()
      .execute();
    this.metrics.webhookDeliveries.inc({ outcome: started.existing ? 'duplicate' : 'started' });
    if (!started.existing) this.metrics.runsStarted.inc({ trigger: 'webhook' });
    return { runId, ...(started.existing ? { duplicate: true } : {}) };
  }
}
