import { hostname } from 'node:os';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type NodeResult, type NodeTask, cacheTtlSecondsFromEnv } from '@kiln/engine';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import { type HeldLease, LeaseClaim } from '@kiln/artifacts/cache/compute-lease';
import { NodeCacheEntries } from '@kiln/artifacts/cache/node-cache';
import { dataAccessPolicyFromEnv, dataUriParamNames } from '@kiln/nodes/access';
import { dataIdentity } from '@kiln/nodes/access/data-identity';
import { type NodeDefinition, nodeTypeInfo } from '@kiln/nodes/define-node';
import { isReuseMiss, reuseOutputs } from '../reuse';
import { cacheKey } from './cache-key';
import { implementationFingerprint } from './fingerprint';

/** A waiter takes over a lease whose holder it has seen silent this long. */
export const LEASE_STALE_MS = 30_000;
/** How often a holder rewrites its lease (well inside {@link LEASE_STALE_MS}). */
const LEASE_RENEW_MS = 5_000;
/** How often a waiter looks for the entry (and the lease) again. */
const WAIT_POLL_MS = 500;

/** Whether this node execution reads and writes the cache: the run's or node's choice, else the type's. */
export function cachingOn(def: { deterministic?: boolean | ((params: never) => boolean) }, task: Pick<NodeTask, 'cache'>, params: unknown): boolean {
  if (task.cache !== undefined) return task.cache;
  const { deterministic } = def;
  // `params` are the ones the type's schema parsed (the activity calls this after its check).
  return typeof deterministic === 'function' ? (deterministic as (p: unknown) => boolean)(params) : (deterministic ?? false);
}

const dataParams = new Map<string, string[]>();

/**
 * The cache key of a node execution, or undefined when it cannot be cached: a data URI whose content
 * cannot be identified (an http(s) URL without validators, a file the policy refuses or that is
 * missing: the node then runs and reports that itself).
 */
export async function cacheKeyOf(
  def: NodeDefinition,
  task: NodeTask,
  params: Record<string, unknown>,
  store: ArtifactStore,
  signal: AbortSignal,
): Promise<string | undefined> {
  let names = dataParams.get(def.type);
  if (!names) {
    names = dataUriParamNames(nodeTypeInfo(def).paramsJsonSchema);
    dataParams.set(def.type, names);
  }
  // A data URI counts by the content it names, not by where that is (and by its file extension,
  // which can pick the format): a copy of the same file elsewhere hits, a changed file misses.
  const data: Record<string, string> = {};
  const keyed = { ...params };
  if (names.length > 0) {
    const policy = dataAccessPolicyFromEnv();
    for (const name of names) {
      const uri = params[name];
      if (typeof uri !== 'string') continue;
      const identity = await dataIdentity(uri, policy, store.objects, signal).catch(() => undefined);
      if (identity === undefined) return undefined;
      data[name] = identity;
      keyed[name] = { extension: extname(uri.split(/[?#]/)[0]!).toLowerCase() };
    }
  }
  return cacheKey({
    type: def.type,
    typeVersion: def.version,
    implementation: await implementationFingerprint(def),
    params: keyed,
    inputs: task.inputs,
    ...(task.item ? { item: { value: task.item.value } } : {}),
    ...(task.cacheVersion !== undefined ? { cacheVersion: task.cacheVersion } : {}),
    data,
  });
}

/** What a lookup found: a result to reuse, or the lease to compute under (undefined: compute without one). */
export type Lookup = { hit: NodeResult } | { hit?: undefined; lease: HeldLease | undefined };

/** The node cache of one worker: entries and leases in the artifact store's named objects. */
export class WorkerNodeCache {
  readonly entries: NodeCacheEntries;

  constructor(
    private readonly store: ArtifactStore,
    ttlSeconds = cacheTtlSecondsFromEnv(process.env),
  ) {
    this.entries = new NodeCacheEntries(store.objects, ttlSeconds);
  }

  /**
   * Looks `key` up. A live entry whose artifacts are all still in the store is a hit. Otherwise the
   * caller must compute: it gets the lease, or, while another worker holds it, this waits (polling;
   * the activity keeps heartbeating; `signal` cancels) until that worker's entry appears, its lease
   * is released (it failed: this one computes) or goes stale (it died: this one takes over).
   */
  async lookup(def: NodeDefinition, task: NodeTask, key: string, signal: AbortSignal): Promise<Lookup> {
    const owner = `${hostname()}:${process.pid}:${task.runId}/${task.nodeId}${task.item ? `[${task.item.index}]` : ''}`;
    const claim = new LeaseClaim(this.store.objects, def.type, key, owner, LEASE_STALE_MS);
    for (;;) {
      const hit = await this.reusable(def, task, key);
      if (hit) return { hit };
      const lease = await claim.tryAcquire();
      if (lease) {
        // The holder may have written its entry and released between the two reads above.
        const late = await this.reusable(def, task, key);
        if (!late) return { lease };
        await lease.release();
        return { hit: late };
      }
      await sleep(WAIT_POLL_MS, undefined, { signal });
    }
  }

  /** Keeps a held lease alive until the returned function is called (which releases it). */
  hold(lease: HeldLease): () => Promise<void> {
    const timer = setInterval(() => void lease.renew().catch(() => {}), LEASE_RENEW_MS);
    return async () => {
      clearInterval(timer);
      await lease.release();
    };
  }

  /** Records a successful execution's result under its key. */
  async record(def: NodeDefinition, task: NodeTask, key: string, result: Pick<NodeResult, 'outputs' | 'skipDownstream'>): Promise<void> {
    await this.entries.put({
      key,
      type: def.type,
      typeVersion: def.version,
      pipeline: task.pipeline,
      runId: task.runId,
      nodeId: task.nodeId,
      ...(task.item ? { item: task.item.index } : {}),
      createdAt: new Date().toISOString(),
      outputs: result.outputs,
      ...(result.skipDownstream ? { skipDownstream: result.skipDownstream } : {}),
    });
  }

  /**
   * The entry under `key` as this node's result, through the same check as a re-run's reuse
   * (`reuse.ts`: outputs fit the ports, every artifact still stored), or undefined.
   */
  private async reusable(def: NodeDefinition, task: NodeTask, key: string): Promise<NodeResult | undefined> {
    const entry = await this.entries.get(def.type, key);
    if (!entry) return undefined;
    const reuse = { outputs: entry.outputs, from: { runId: entry.runId, nodeId: entry.nodeId }, ...(entry.skipDownstream ? { skipDownstream: entry.skipDownstream } : {}) };
    const result = await reuseOutputs(task, reuse, def.outputs, this.store);
    if (!isReuseMiss(result)) return result;
    // Its artifacts are gone (purged, or the store was cleaned) or it no longer fits: useless.
    await this.entries.remove(def.type, key);
    return undefined;
  }
}
