import { HttpException, Inject, Injectable } from '@nestjs/common';
import { type DataSource, type EntityManager, MoreThan } from 'typeorm';
import {
  Deployment,
  DeploymentEvent,
  type DeploymentRecord,
  type DeploymentStrategy,
  type JsonDoc,
  type ModelVersionRecord,
  PredictionFeedback,
  PredictionLog,
} from '@kiln/db';
import { AuditService } from '../audit/audit-service';
import type { Actor } from '../auth/roles';
import { ProblemsException, conflict, notFound } from '../common/http-errors';
import { DATA_SOURCE } from '../database';
import { ModelService, type VersionInput } from '../models/model-service';
import { RunService, idempotentRunId } from '../runs/run-service';
import { ServingRuntime } from './serving-runtime';

export interface RolloutRequest {
  /** The registered model this deployment serves. */
  model: string;
  /** A registered version; or `register` to register the model first (what deploy.model does). */
  version?: number;
  register?: Omit<VersionInput, 'datasets'>;
  strategy: DeploymentStrategy;
  /** Share of live traffic the canary takes, in percent. */
  canaryPercent?: number;
  /** Share of requests whose inputs and outputs are logged (0–1). */
  logSampleRate?: number;
}

const unprocessable = (message: string) => new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message }, 422);

/**
 * Deployments: rolling versions out by strategy, promoting and rolling back, and what they logged.
 * Stages in the registry follow: the version serving all traffic is `production`, a canary or shadow
 * candidate is `staging`, a candidate rolled back is `archived`.
 */
@Injectable()
export class DeploymentService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(ModelService) private readonly models: ModelService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ServingRuntime) private readonly runtime: ServingRuntime,
    @Inject(RunService) private readonly runs: RunService,
  ) {}

  list() {
    return this.db.getRepository(Deployment).find({ order: { name: 'ASC' } });
  }

  async record(name: string): Promise<DeploymentRecord> {
    const d = await this.db.getRepository(Deployment).findOneBy({ name });
    if (!d) throw notFound(`deployment "${name}"`);
    return d;
  }

  /** The deployment, what this process serves for it, and its recent events. */
  async get(name: string) {
    const d = await this.record(name);
    const route = await this.runtime.route(name);
    const events = await this.db.getRepository(DeploymentEvent).find({ where: { deployment: name }, order: { id: 'DESC' }, take: 50 });
    const served = (v: { version: number } | null | undefined) => (v ? { version: v.version, ready: true } : null);
    return {
      ...d,
      ready: Boolean(route?.primary),
      serving: {
        primary: served(route?.primary),
        candidate: route?.candidate ? { version: route.candidate.version, mode: route.candidate.mode, percent: route.candidate.percent, ready: true } : null,
        standby: served(route?.standby),
        failed: Object.fromEntries(route?.failed ?? []),
      },
      events,
    };
  }

  private async versionFor(req: RolloutRequest, actor: Actor): Promise<ModelVersionRecord> {
    if (req.register) {
      const ref = req.register.reference;
      const datasets = ref ? [{ nodeId: 'data', digest: ref.artifact.digest, rowCount: ref.rowCount, columns: ref.schema.length }] : [];
      return this.models.insertVersion(req.model, { ...req.register, datasets }, actor);
    }
    if (req.version === undefined) throw new HttpException({ statusCode: 400, error: 'Bad Request', message: 'give a model version to deploy' }, 400);
    return this.models.version(req.model, req.version);
  }

  /**
   * Rolls a version out. The version is loaded and must answer a plausible request before any
   * traffic moves to it; when it cannot, nothing changes (the deployment keeps serving what it
   * served) and the rollout fails with the reason.
   */
  async rollout(name: string, req: RolloutRequest, actor: Actor) {
    const existing = await this.db.getRepository(Deployment).findOneBy({ name });
    if (existing && existing.modelName !== req.model) {
      throw conflict(`deployment "${name}" serves model "${existing.modelName}", not "${req.model}"; deploy "${req.model}" under another name`);
    }
    const v = await this.versionFor(req, actor);
    const notReady = await this.runtime.readiness(v);
    if (notReady) {
      if (existing) await this.event(this.db.manager, name, 'readiness_failed', v.version, { reason: notReady, strategy: req.strategy }, actor);
      throw unprocessable(
        `version ${v.version} of model "${req.model}" failed its readiness check (${notReady}); ` +
          (existing?.primaryVersion ? `deployment "${name}" keeps serving version ${existing.primaryVersion}` : `deployment "${name}" was not changed`),
      );
    }
    await this.db.transaction(async (m) => {
      const repo = m.getRepository(Deployment);
      const now = new Date();
      let d = await repo.findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!d) {
        d = {
          name,
          modelName: req.model,
          primaryVersion: null,
          standbyVersion: null,
          candidateVersion: null,
          candidateMode: null,
          canaryPercent: 0,
          strategy: req.strategy,
          logSampleRate: req.logSampleRate ?? 1,
          generation: 0,
          createdAt: now,
          createdBy: actor.name,
          updatedAt: now,
        };
        await repo.insert(d);
      }
      const next: Partial<DeploymentRecord> = { strategy: req.strategy, generation: d.generation + 1, updatedAt: now };
      if (req.logSampleRate !== undefined) next.logSampleRate = req.logSampleRate;
      const first = d.primaryVersion === null;
      let detail: Record<string, unknown> = { strategy: req.strategy };
      if (first || req.strategy === 'replace' || req.strategy === 'blue-green') {
        Object.assign(next, {
          primaryVersion: v.version,
          standbyVersion: req.strategy === 'blue-green' && !first ? d.primaryVersion : null,
          candidateVersion: null,
          candidateMode: null,
          canaryPercent: 0,
        });
        if (first && (req.strategy === 'canary' || req.strategy === 'shadow')) detail = { ...detail, note: 'no version was serving: this one takes all traffic' };
        if (d.candidateVersion !== null && d.candidateVersion !== v.version) await this.models.promote(d.modelName, d.candidateVersion, 'archived', actor, m);
        await this.models.promote(req.model, v.version, 'production', actor, m);
      } else {
        if (d.candidateVersion !== null && d.candidateVersion !== v.version) await this.models.promote(d.modelName, d.candidateVersion, 'archived', actor, m);
        Object.assign(next, {
          candidateVersion: v.version,
          candidateMode: req.strategy,
          canaryPercent: req.strategy === 'canary' ? (req.canaryPercent ?? 10) : 0,
        });
        detail = { ...detail, percent: next.canaryPercent };
        await this.models.promote(req.model, v.version, 'staging', actor, m);
      }
      await repo.update({ name }, next);
      await this.event(m, name, 'rollout', v.version, detail, actor);
    });
    await this.runtime.refresh(name);
    return { ...(await this.get(name)), deployedVersion: v.version };
  }

  /** The candidate takes all traffic; the version it replaces stays on standby for a rollback. */
  async promote(name: string, actor: Actor) {
    await this.db.transaction(async (m) => {
      const d = await this.locked(m, name);
      if (d.candidateVersion === null) throw conflict(`deployment "${name}" has no canary or shadow version to promote`);
      await m.getRepository(Deployment).update(
        { name },
        { primaryVersion: d.candidateVersion, standbyVersion: d.primaryVersion, candidateVersion: null, candidateMode: null, canaryPercent: 0, generation: d.generation + 1, updatedAt: new Date() },
      );
      await this.models.promote(d.modelName, d.candidateVersion, 'production', actor, m);
      await this.event(m, name, 'promote', d.candidateVersion, { from: d.primaryVersion, mode: d.candidateMode }, actor);
    });
    await this.runtime.refresh(name);
    return this.get(name);
  }

  /** Drops the candidate if there is one; otherwise switches back to the standby version. */
  async rollback(name: string, actor: Actor, reason?: string) {
    await this.db.transaction(async (m) => {
      const d = await this.locked(m, name);
      const repo = m.getRepository(Deployment);
      const bump = { generation: d.generation + 1, updatedAt: new Date() };
      if (d.candidateVersion !== null) {
        await repo.update({ name }, { candidateVersion: null, candidateMode: null, canaryPercent: 0, ...bump });
        await this.models.promote(d.modelName, d.candidateVersion, 'archived', actor, m);
        await this.event(m, name, 'rollback', d.candidateVersion, { dropped: d.candidateMode, ...(reason ? { reason } : {}) }, actor);
      } else if (d.standbyVersion !== null) {
        await repo.update({ name }, { primaryVersion: d.standbyVersion, standbyVersion: null, ...bump });
        await this.models.promote(d.modelName, d.standbyVersion, 'production', actor, m);
        await this.event(m, name, 'rollback', d.standbyVersion, { from: d.primaryVersion, ...(reason ? { reason } : {}) }, actor);
      } else {
        throw conflict(`deployment "${name}" has neither a candidate nor a standby version to roll back to`);
      }
    });
    await this.runtime.refresh(name);
    return this.get(name);
  }

  /** Changes the canary's share of traffic or the logging sample rate. */
  async patch(name: string, change: { canaryPercent?: number; logSampleRate?: number }, actor: Actor) {
    await this.db.transaction(async (m) => {
      const d = await this.locked(m, name);
      if (change.canaryPercent !== undefined && d.candidateMode !== 'canary') throw conflict(`deployment "${name}" has no canary to send traffic to`);
      await m.getRepository(Deployment).update({ name }, { ...change, generation: d.generation + 1, updatedAt: new Date() });
      await this.event(m, name, 'traffic', d.candidateVersion ?? d.primaryVersion, change, actor);
    });
    await this.runtime.refresh(name);
    return this.get(name);
  }

  /** Log chunks written in a time window, every replica's (monitor.drift reads them from the artifact store). */
  async logs(name: string, since: Date) {
    await this.record(name);
    await this.runtime.flushLogs();
    return this.db.getRepository(PredictionLog).find({ where: { deployment: name, lastAt: MoreThan(since) }, order: { id: 'ASC' } });
  }

  /** Stores ground-truth labels for logged predictions (a later label for the same id replaces it). */
  /** Stores labels by prediction id: every id must be one this deployment's predict issued (else 422, nothing stored). */
  async feedback(name: string, items: { id: string; label: string | number | boolean }[]) {
    await this.record(name);
    const unknown = items.flatMap((item, i) => (this.runtime.ids.verify(name, item.id) ? [] : [{ path: `items[${i}].id`, message: `${JSON.stringify(item.id)} is not a prediction id of deployment "${name}"` }]));
    if (unknown.length > 0) {
      throw new ProblemsException(`${unknown.length} of ${items.length} feedback item(s) name no prediction of deployment "${name}"; nothing was stored`, unknown.slice(0, 100));
    }
    const now = new Date();
    await this.db
      .createQueryBuilder()
      .insert()
      .into(PredictionFeedback)
      .values(items.map((i) => ({ predictionId: i.id, deployment: name, label: i.label as unknown as JsonDoc, receivedAt: now })))
      .orUpdate(['label', 'received_at'], ['prediction_id'])
      .execute();
    return { accepted: items.length };
  }

  async feedbackSince(name: string, since: Date) {
    await this.record(name);
    const rows = await this.db.getRepository(PredictionFeedback).find({ where: { deployment: name, receivedAt: MoreThan(since) } });
    return rows.map((r) => ({ id: r.predictionId, label: r.label }));
  }

  /**
   * Starts a retraining run because this deployment drifted (trigger `drift`). The key (the monitor's
   * window) makes it idempotent: the same deployment, pipeline and key start one run, ever.
   */
  async retrain(name: string, req: { pipelineId: string; params: Record<string, unknown>; key: string; reason?: string }, actor: Actor) {
    const d = await this.record(name);
    const started = await this.runs.start({
      pipelineId: req.pipelineId,
      params: req.params,
      trigger: 'drift',
      actor,
      source: `deployment:${name}`,
      uniqueRunId: idempotentRunId(req.pipelineId, `drift:${name}:${req.key}`),
    });
    if (!started.existing) {
      await this.event(this.db.manager, name, 'retrain', d.primaryVersion, { runId: started.runId, pipelineId: req.pipelineId, key: req.key, ...(req.reason ? { reason: req.reason } : {}) }, actor);
    }
    return started;
  }

  /** Records something that happened to a deployment (monitor reports, drift, retraining started). */
  async addEvent(name: string, kind: string, version: number | null, detail: Record<string, unknown>, actor: Actor) {
    await this.record(name);
    await this.event(this.db.manager, name, kind, version, detail, actor);
  }

  async events(name: string, kind: string | undefined, limit: number) {
    await this.record(name);
    return this.db.getRepository(DeploymentEvent).find({ where: { deployment: name, ...(kind ? { kind } : {}) }, order: { id: 'DESC' }, take: limit });
  }

  private async locked(m: EntityManager, name: string) {
    const d = await m.getRepository(Deployment).findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
    if (!d) throw notFound(`deployment "${name}"`);
    return d;
  }

  private async event(m: EntityManager, deployment: string, kind: string, version: number | null, detail: Record<string, unknown>, actor: Actor) {
    await m.getRepository(DeploymentEvent).insert({ deployment, at: new Date(), kind, version, detail: detail as JsonDoc, actor: actor.name });
    await this.audit.record(actor, `deployment.${kind}`, `deployment:${deployment}`, { version, ...detail }, m);
  }
}
