import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  BUILTIN_SOURCE,
  type Catalog,
  type NodeLanguage,
  type NodeTypeInfo,
  type PipelineSpec,
  type Problem,
  REGISTRATION_RENEW_SECONDS,
  REGISTRATION_TTL_SECONDS,
  type RegisteredTypeInfo,
  nodeTypeRegistrationSchema,
  paramsSchemaProblems,
  registeredTypeInfo,
  schemaParamCheck,
  specHash,
} from '@kiln/engine';
import { type JsonDoc, NodeType, NodeTypeWorker, type NodeTypeRecord } from '@kiln/db';
import type { z } from 'zod';
import type { RegistrationResult, WorkerRegistration } from '@kiln/api-types';
import { AuditService } from '../audit/audit-service';
import type { Actor } from '../auth/roles';
import { badRequest } from '../common/http-errors';
import { DATA_SOURCE } from '../database';

/** The catalog of Kiln's own node types, which registrations extend and may not shadow. */
export const BUILTIN_CATALOG = Symbol('BuiltinCatalog');

/** How often each replica re-reads the registry (a registration through another replica is seen within this). */
const RELOAD_EVERY_MS = 1000;
/** The advisory lock registrations take so their clash checks and writes do not interleave (`kreg` in ASCII). */
const REGISTER_LOCK_KEY = 0x6b726567;

type Registration = z.output<typeof nodeTypeRegistrationSchema>;


/**
 * Node types registered by their workers, beside the built-ins. The tables (`node_types`,
 * `node_type_workers`) are the truth every replica shares; each replica keeps a snapshot, re-read
 * every second and at once after a registration it took, and serves `catalog` from it: built-ins plus,
 * per registered type name, its newest served version (else its newest), marked served while a
 * worker's registration of it has not expired.
 */
@Injectable()
export class NodeTypeRegistry implements OnModuleInit, OnModuleDestroy {
  private byType = new Map<string, NodeTypeInfo>();
  private registered: NodeTypeInfo[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;

  /** Built-ins plus registered types, as of the last reload: what validation, runs and the studio use. */
  readonly catalog: Catalog = {
    get: (type) => this.builtins.get(type) ?? this.byType.get(type),
    types: () => [...this.builtins.types().map(withBuiltinSource), ...this.registered],
  };

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(BUILTIN_CATALOG) private readonly builtins: Catalog,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch(() => {
        // The database is down: keep the last snapshot; /readyz reports the outage.
      });
    }, RELOAD_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Re-reads the registry (one read at a time; callers arriving meanwhile share it). */
  reload(): Promise<void> {
    this.reloading ??= this.read().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async read(): Promise<void> {
    const [types, workers] = await Promise.all([
      this.db.getRepository(NodeType).find(),
      this.db.getRepository(NodeTypeWorker).find(),
    ]);
    const now = Date.now();
    const seen = new Map<string, { lastSeen: Date; served: boolean }>();
    for (const w of workers) {
      for (const t of w.types) {
        const key = `${t.type}@${t.version}`;
        const was = seen.get(key);
        const served = w.expiresAt.getTime() > now;
        seen.set(key, {
          lastSeen: was && was.lastSeen > w.lastSeenAt ? was.lastSeen : w.lastSeenAt,
          served: served || (was?.served ?? false),
        });
      }
    }
    const current = new Map<string, NodeTypeInfo>();
    for (const row of types) {
      const live = seen.get(`${row.type}@${row.version}`);
      const info: NodeTypeInfo = {
        ...(row.info as RegisteredTypeInfo),
        source: row.source,
        language: row.language as NodeLanguage,
        queue: row.queue,
        served: live?.served ?? false,
        ...(live ? { lastSeenAt: live.lastSeen.toISOString() } : {}),
        checkParams: schemaParamCheck(row.info.paramsJsonSchema as Record<string, unknown>),
      };
      const other = current.get(row.type);
      if (!other || preferred(info, other)) current.set(row.type, info);
    }
    this.byType = current;
    this.registered = [...current.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  /**
   * Records a worker's registration (first or renewal). Every problem is a 400 naming the type:
   * a bad params schema, a built-in's name, a name another source registered, or a changed
   * definition under a version that a live worker still serves differently.
   */
  async register(workerId: string, body: Registration, actor: Actor): Promise<RegistrationResult> {
    const problems: Problem[] = [];
    const infos = body.types.map(registeredTypeInfo);
    const names = new Set<string>();
    infos.forEach((info, i) => {
      const at = `types[${i}]`;
      if (this.builtins.get(info.type)) problems.push({ path: `${at}.type`, message: `${info.type} is a built-in node type; a registration cannot shadow it (choose another category or name)` });
      if (names.has(info.type)) problems.push({ path: `${at}.type`, message: `${info.type} is listed twice (one version per type per registration)` });
      names.add(info.type);
      for (const message of paramsSchemaProblems(info.paramsJsonSchema)) problems.push({ path: `${at}.paramsJsonSchema`, message: `${info.type}: ${message}` });
    });
    if (problems.length > 0) throw registrationRefused(problems);

    const now = new Date();
    const expiresAt = new Date(now.getTime() + REGISTRATION_TTL_SECONDS * 1000);
    const result = await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [REGISTER_LOCK_KEY]);
      const typeRepo = m.getRepository(NodeType);
      const workerRepo = m.getRepository(NodeTypeWorker);
      const existing = await typeRepo.findBy({ type: In([...names]) });
      const liveWorkers = (await workerRepo.find()).filter((w) => w.workerId !== workerId && w.expiresAt > now);
      const statuses: RegistrationResult['types'] = [];
      const writes: NodeTypeRecord[] = [];
      infos.forEach((info, i) => {
        const at = `types[${i}]`;
        const owner = existing.find((r) => r.type === info.type && r.source !== body.source);
        if (owner) {
          problems.push({ path: `${at}.type`, message: `${info.type} is registered by ${owner.source}; a type name belongs to one source (choose another name, or an admin removes it: DELETE /api/v1/node-types/${info.type})` });
          return;
        }
        const digest = specHash({ info, queue: body.queue, language: body.language });
        const same = existing.find((r) => r.type === info.type && r.version === info.version);
        if (same && same.digest === digest) {
          statuses.push({ type: info.type, version: info.version, status: 'unchanged' });
          return;
        }
        if (same) {
          const holder = liveWorkers.find((w) => w.types.some((t) => t.type === info.type && t.version === info.version));
          if (holder) {
            problems.push({
              path: at,
              message: `${info.type} version ${info.version} differs from what live worker ${holder.workerId} serves${same.queue !== body.queue ? ` (on queue ${same.queue})` : ''}; give the changed type a new version`,
            });
            return;
          }
        }
        writes.push({ type: info.type, version: info.version, source: body.source, language: body.language, queue: body.queue, info: info as unknown as JsonDoc, digest, registeredAt: same?.registeredAt ?? now, updatedAt: now });
        statuses.push({ type: info.type, version: info.version, status: same ? 'updated' : 'registered' });
      });
      if (problems.length > 0) throw registrationRefused(problems);
      if (writes.length > 0) await typeRepo.save(writes);
      const before = await workerRepo.findOneBy({ workerId });
      const types = infos.map((i) => ({ type: i.type, version: i.version }));
      await workerRepo.save({
        workerId,
        source: body.source,
        language: body.language,
        queue: body.queue,
        types,
        registeredBy: actor.name,
        firstSeenAt: before?.firstSeenAt ?? now,
        lastSeenAt: now,
        expiresAt,
      });
      // Renewals are heartbeats: only a new registration, or one that changed, is audited.
      const changed = !before || before.expiresAt <= now || before.source !== body.source || before.queue !== body.queue || specHash(before.types) !== specHash(types);
      if (changed || writes.length > 0) {
        await this.audit.record(actor, 'node-types.register', `worker:${workerId}`, { source: body.source, language: body.language, queue: body.queue, types: statuses }, m);
      }
      return statuses;
    });
    await this.reload();
    return {
      workerId,
      source: body.source,
      language: body.language,
      queue: body.queue,
      expiresAt: expiresAt.toISOString(),
      renewSeconds: REGISTRATION_RENEW_SECONDS,
      types: result,
    };
  }

  /** Ends a worker's registration (it stops); its types stay in the catalog, unserved once no other worker serves them. */
  async deregister(workerId: string, actor: Actor): Promise<boolean> {
    const result = await this.db.getRepository(NodeTypeWorker).delete({ workerId });
    if ((result.affected ?? 0) === 0) return false;
    await this.audit.record(actor, 'node-types.deregister', `worker:${workerId}`);
    await this.reload();
    return true;
  }

  /** Forgets a registered type (every version), so another source may take its name. */
  async remove(type: string, actor: Actor): Promise<number> {
    const result = await this.db.getRepository(NodeType).delete({ type });
    const removed = result.affected ?? 0;
    if (removed > 0) {
      await this.audit.record(actor, 'node-types.remove', `node-type:${type}`, { versions: removed });
      await this.reload();
    }
    return removed;
  }

  /** The live worker registrations. */
  async workers(): Promise<WorkerRegistration[]> {
    const rows = await this.db.getRepository(NodeTypeWorker).find({ order: { workerId: 'ASC' } });
    const now = Date.now();
    return rows
      .filter((w) => w.expiresAt.getTime() > now)
      .map((w) => ({ ...w, language: w.language as WorkerRegistration['language'], firstSeenAt: w.firstSeenAt.toISOString(), lastSeenAt: w.lastSeenAt.toISOString(), expiresAt: w.expiresAt.toISOString() }));
  }

  /**
   * The nodes of a spec whose registered type no live worker serves, read fresh from the database:
   * a run of it would wait on a queue nobody polls, so the API refuses to start it.
   */
  async unservedProblems(spec: Pick<PipelineSpec, 'nodes'>): Promise<Problem[]> {
    if (!spec.nodes.some((n) => !this.builtins.get(n.type))) return [];
    await this.reload();
    const problems: Problem[] = [];
    spec.nodes.forEach((node, i) => {
      const info = this.byType.get(node.type);
      if (!info || info.served) return;
      const last = info.lastSeenAt ? `its last worker was seen at ${info.lastSeenAt}` : 'no worker serves it';
      problems.push({
        path: `nodes[${i}].type`,
        nodeId: node.id,
        message: `node "${node.id}": node type ${node.type} (version ${info.version}, from ${info.source}) has no live worker on queue "${info.queue}" (${last}); start a worker that serves it (${info.language === 'python' ? `the Python worker of ${info.source}` : `kiln worker --nodes ${info.source}`})`,
      });
    });
    return problems;
  }
}

function withBuiltinSource(info: NodeTypeInfo): NodeTypeInfo {
  return { ...info, source: BUILTIN_SOURCE, language: 'typescript', served: true };
}

/** Which of two versions of a registered type the catalog shows: the served one, then the newer. */
function preferred(a: NodeTypeInfo, b: NodeTypeInfo): boolean {
  if (a.served !== b.served) return a.served === true;
  return a.version > b.version;
}

function registrationRefused(problems: readonly Problem[]) {
  return badRequest(`the registration was refused: ${problems.map((p) => p.message).join('; ')}`, problems);
}
