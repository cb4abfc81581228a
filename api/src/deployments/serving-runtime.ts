import { HttpException, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { In, type DataSource } from 'typeorm';
import type { ArtifactStore } from '@kiln/artifacts';
import { Deployment, type DeploymentRecord, ModelVersion, type ModelVersionRecord } from '@kiln/db';
import { type KeyRing, SECRET_KEYS } from '../common/secret-keys';
import { ARTIFACT_STORE, DATA_SOURCE } from '../database';
import { API_METRICS, type ApiMetrics } from '../ops/metrics';
import { modelValueSchema } from '@kiln/engine';
import { InferencePool } from '@kiln/serving/inference-pool';
import { ModelNotLoadedError } from '@kiln/serving/errors';
import { InstanceError } from '@kiln/serving/instances';
import type { ModelSignature, PredictResult } from '@kiln/serving/signature';
import type { Prediction } from '@kiln/api-types';
import { PredictionIds } from './prediction-ids';
import { LogFlushBarrier } from './log-flush-barrier';
import { PredictionLogger } from './prediction-log';
import { ServingStats } from './serving-stats';
import { checkPrediction, readinessSample, servedSignature } from './readiness-sample';

/** A model version loaded for serving. */
export interface Served {
  version: number;
  digest: string;
  sig: ModelSignature;
  sample: Record<string, unknown>;
}

/** How one deployment routes requests, as this process serves it. */
export interface Route {
  generation: number;
  primary: Served | null;
  candidate: (Served & { mode: 'canary' | 'shadow'; percent: number }) | null;
  standby: Served | null;
  logSampleRate: number;
  /** Versions this process could not load, with why (readiness shows them). */
  failed: Map<number, string>;
}

const unavailable = (message: string) => new HttpException({ statusCode: 503, error: 'Service Unavailable', message }, 503);

/**
 * Serves deployments: loads their versions into the inference pool, routes each request (canary
 * split, shadow mirroring), logs sampled predictions, and follows changes made by any API process
 * (it polls the deployments' generations every second; changes made here apply at once). A new
 * version is loaded and checked before traffic moves to it, and the old one is unloaded only after
 * its in-flight requests finish, so a swap drops nothing.
 */
@Injectable()
export class ServingRuntime implements OnModuleInit, OnModuleDestroy {
  private pool: Promise<InferencePool> | null = null;
  /** The pool once started. */
  private startedPool: InferencePool | null = null;
  private readonly routes = new Map<string, Route>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly loaded = new Set<string>();
  private readonly refreshing = new Map<string, Promise<Route | null>>();
  private poller: NodeJS.Timeout | null = null;
  readonly log: PredictionLogger;
  /** Other replicas' buffered logs, on a PostgreSQL server (embedded PostgreSQL has one process). */
  private readonly flushBarrier: LogFlushBarrier | null;
  readonly stats = new ServingStats();
  /** Issues the prediction ids feedback refers to (verifiable by any process with the same key ring). */
  readonly ids: PredictionIds;
  private readonly seriesCache = new Map<string, { latency: { observe(v: number): void }; rows: { inc(v: number): void } }>();

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
    @Inject(SECRET_KEYS) keys: KeyRing,
  ) {
    this.log = new PredictionLogger(db, store);
    this.ids = new PredictionIds(keys.derive('prediction ids'));
    this.flushBarrier = (db.options as { url?: string }).url ? new LogFlushBarrier(db, () => this.log.flush()) : null;
  }

  /** Writes out the prediction logs buffered by every API replica (this one included). */
  flushLogs(): Promise<void> {
    return this.flushBarrier ? this.flushBarrier.flushAll() : this.log.flush();
  }

  onModuleInit() {
    this.flushBarrier?.start();
    // One poll at a time (a database that is down takes up to its connect timeout to say so), and an
    // outage logged when it starts, not every second; routes already loaded keep serving meanwhile.
    let polling = false;
    let failing = false;
    this.poller = setInterval(() => {
      if (polling) return;
      polling = true;
      this.poll()
        .then(() => (failing = false))
        .catch((e: Error) => {
          if (!failing) console.error('deployment poll failed (retrying every second):', e.message);
          failing = true;
        })
        .finally(() => (polling = false));
    }, 1_000);
    this.poller.unref();
  }

  async onModuleDestroy() {
    if (this.poller) clearInterval(this.poller);
    this.flushBarrier?.close();
    await this.log.close();
    if (this.pool) await (await this.pool).close();
  }

  private inference(): Promise<InferencePool> {
    // A pool that failed to start is not kept: the next request tries again.
    this.pool ??= InferencePool.start().then(
      (pool) => (this.startedPool = pool),
      (error: unknown) => {
        this.pool = null;
        throw error;
      },
    );
    return this.pool;
  }

  /** Loads a version's model (digest verified by the store) unless loaded; rejects when it cannot serve. */
  async load(v: ModelVersionRecord): Promise<Served> {
    const model = modelValueSchema.parse(v.model);
    const sig = servedSignature({ task: model.task, features: model.features, classes: model.classes }, v.reference);
    const digest = model.artifact.digest;
    const pool = await this.inference();
    if (!pool.has(digest)) {
      let pending = this.loading.get(digest);
      if (!pending) {
        pending = (async () => {
          await pool.load(digest, await this.store.get(digest), sig);
          this.loaded.add(digest);
        })().finally(() => this.loading.delete(digest));
        this.loading.set(digest, pending);
      }
      await pending;
    }
    return { version: v.version, digest, sig, sample: readinessSample(sig, v.reference) };
  }

  /** Loads a version and predicts one plausible row with it; the reason it is not ready, or null. */
  async readiness(v: ModelVersionRecord): Promise<string | null> {
    try {
      const served = await this.load(v);
      const result = await (await this.inference()).predict(served.digest, [served.sample]);
      return checkPrediction(served.sig, result);
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Re-reads a deployment and makes this process serve it as recorded (null when it is gone). */
  refresh(name: string): Promise<Route | null> {
    const running = this.refreshing.get(name);
    if (running) return running.then(() => this.refreshNow(name));
    const next = this.refreshNow(name).finally(() => this.refreshing.delete(name));
    this.refreshing.set(name, next);
    return next;
  }

  private async refreshNow(name: string): Promise<Route | null> {
    const d = await this.db.getRepository(Deployment).findOneBy({ name });
    const before = this.routes.get(name);
    if (!d) {
      this.routes.delete(name);
      if (before) await this.unloadUnused();
      return null;
    }
    if (before && before.generation === d.generation) return before;
    const route = await this.buildRoute(d);
    this.routes.set(name, route);
    await this.unloadUnused();
    return route;
  }

  private async buildRoute(d: DeploymentRecord): Promise<Route> {
    const wanted = [d.primaryVersion, d.candidateVersion, d.standbyVersion].filter((v): v is number => v !== null);
    const versions = wanted.length ? await this.db.getRepository(ModelVersion).findBy({ name: d.modelName, version: In(wanted) }) : [];
    const failed = new Map<number, string>();
    const served = new Map<number, Served>();
    for (const v of versions) {
      try {
        served.set(v.version, await this.load(v));
      } catch (error) {
        failed.set(v.version, (error as Error).message);
      }
    }
    const pick = (v: number | null) => (v === null ? null : (served.get(v) ?? null));
    const candidate = pick(d.candidateVersion);
    return {
      generation: d.generation,
      primary: pick(d.primaryVersion),
      candidate: candidate && d.candidateMode ? { ...candidate, mode: d.candidateMode, percent: d.canaryPercent } : null,
      standby: pick(d.standbyVersion),
      logSampleRate: d.logSampleRate,
      failed,
    };
  }

  private async unloadUnused() {
    if (!this.pool) return;
    const pool = await this.pool;
    const inUse = new Set<string>();
    for (const r of this.routes.values()) for (const s of [r.primary, r.candidate, r.standby]) if (s) inUse.add(s.digest);
    for (const digest of [...this.loaded]) {
      if (inUse.has(digest) || this.loading.has(digest)) continue;
      this.loaded.delete(digest);
      await pool.unload(digest);
    }
  }

  private async poll() {
    const rows = await this.db.getRepository(Deployment).find({ select: { name: true, generation: true } });
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.name);
      const route = this.routes.get(row.name);
      if (route && route.generation !== row.generation) await this.refresh(row.name);
    }
    for (const name of this.routes.keys()) if (!seen.has(name)) await this.refresh(name);
  }

  /** The route this process serves for a deployment, loading it on first use. */
  async route(name: string): Promise<Route | null> {
    return this.routes.get(name) ?? (await this.firstLoad(name));
  }

  /** Loads a route not served yet; requests that come while it loads share the one read. */
  private firstLoad(name: string): Promise<Route | null> {
    return this.refreshing.get(name) ?? this.refresh(name);
  }

  /** `body`: the request's raw JSON, logged as is (the instances are logged re-serialised without it). */
  async predict(name: string, instances: unknown, body?: Buffer): Promise<Prediction> {
    // Known routes and a started pool are taken without awaiting: this runs for every request.
    const route = this.routes.get(name) ?? (await this.firstLoad(name));
    if (!route) throw new HttpException({ statusCode: 404, error: 'Not Found', message: `deployment "${name}" not found` }, 404);
    const primary = route.primary;
    if (!primary) throw unavailable(`deployment "${name}" has no ready version${route.failed.size ? `: ${[...route.failed.values()][0]}` : ''}`);
    const canary = route.candidate?.mode === 'canary' && Math.random() * 100 < route.candidate.percent ? route.candidate : null;
    let target = canary ?? primary;
    const role = canary ? ('canary' as const) : ('primary' as const);
    const pool = this.startedPool ?? (await this.inference());
    const started = performance.now();
    let result: PredictResult;
    try {
      try {
        result = await pool.predict(target.digest, instances);
      } catch (error) {
        // A swap unloaded the version between routing and queueing: the new route serves it.
        const now = this.routes.get(name);
        if (!(error instanceof ModelNotLoadedError) || !now?.primary || now === route) throw error;
        target = now.primary;
        result = await pool.predict(target.digest, instances);
      }
    } catch (error) {
      this.metrics.predictErrors.inc({ deployment: name, version: String(target.version), kind: error instanceof InstanceError ? 'bad_input' : 'internal' });
      this.log.recordError(name);
      this.stats.error(name, target.version, role);
      if (error instanceof InstanceError) {
        throw new HttpException({ statusCode: 400, error: 'Bad Request', message: error.message, path: error.path }, 400);
      }
      throw error;
    }
    const latencyMs = performance.now() - started;
    const series = this.series(name, target.version, role);
    series.latency.observe(latencyMs / 1000);
    series.rows.inc(result.predictions.length);
    this.stats.observe(name, target.version, role, latencyMs);
    const ids = this.ids.issue(name, result.predictions.length);
    const rows = instances as Record<string, unknown>[];
    const sampled = route.logSampleRate >= 1 || Math.random() < route.logSampleRate;
    this.log.record(
      name,
      sampled ? { at: Date.now(), version: target.version, role, ids, instances: rows, raw: body, predictions: result.predictions, probabilities: result.probabilities, latencyMs } : null,
    );
    if (route.candidate?.mode === 'shadow') this.shadow(name, route.candidate, ids, rows, body);
    return { ...result, modelVersion: target.version, ids };
  }

  /** The Prometheus series of a deployment, version and role (label lookups cost more than the rest of the bookkeeping). */
  private series(deployment: string, version: number, role: string) {
    const key = `${deployment}\u0000${version}\u0000${role}`;
    let found = this.seriesCache.get(key);
    if (!found) {
      const labels = { deployment, version: String(version), role };
      found = { latency: this.metrics.predictLatency.labels(labels), rows: this.metrics.predictRows.labels(labels) };
      this.seriesCache.set(key, found);
    }
    return found;
  }

  /** Mirrors a request to the shadow version: its answers are logged, never returned. */
  private shadow(name: string, candidate: Served, ids: string[], rows: Record<string, unknown>[], body: Buffer | undefined) {
    const started = performance.now();
    void this.inference()
      .then((pool) => pool.predict(candidate.digest, rows))
      .then((result) => {
        const latencyMs = performance.now() - started;
        const series = this.series(name, candidate.version, 'shadow');
        series.latency.observe(latencyMs / 1000);
        series.rows.inc(result.predictions.length);
        this.stats.observe(name, candidate.version, 'shadow', latencyMs);
        this.log.record(name, {
          at: Date.now(),
          version: candidate.version,
          role: 'shadow',
          ids,
          instances: rows,
          raw: body,
          predictions: result.predictions,
          probabilities: result.probabilities,
          latencyMs,
        });
      })
      .catch(() => {
        this.metrics.predictErrors.inc({ deployment: name, version: String(candidate.version), kind: 'shadow' });
        this.stats.error(name, candidate.version, 'shadow');
      });
  }
}
