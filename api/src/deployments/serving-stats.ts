import type { MinuteStats } from '@kiln/api-types';
import { quantile } from '@kiln/nodes/monitor/prediction-logs';

interface Bucket {
  requests: number;
  errors: number;
  /** Up to SAMPLE latencies (ms) of the minute, for percentiles. */
  latencies: number[];
}


const KEEP_MINUTES = 60;
const SAMPLE = 2_000;

/**
 * Requests, errors and latency percentiles per minute, deployment, version and role, for the last
 * hour, as this process served them (the studio's latency chart; Prometheus has the rest).
 */
export class ServingStats {
  private readonly buckets = new Map<string, Map<number, Map<string, Bucket>>>();

  private bucket(deployment: string, version: number, role: string): Bucket {
    const minute = Math.floor(Date.now() / 60_000);
    let byMinute = this.buckets.get(deployment);
    if (!byMinute) this.buckets.set(deployment, (byMinute = new Map()));
    let byKey = byMinute.get(minute);
    if (!byKey) {
      byMinute.set(minute, (byKey = new Map()));
      for (const m of byMinute.keys()) if (m <= minute - KEEP_MINUTES) byMinute.delete(m);
    }
    const key = `${version}:${role}`;
    let b = byKey.get(key);
    if (!b) byKey.set(key, (b = { requests: 0, errors: 0, latencies: [] }));
    return b;
  }

  observe(deployment: string, version: number, role: string, latencyMs: number) {
    const b = this.bucket(deployment, version, role);
    b.requests++;
    if (b.latencies.length < SAMPLE) b.latencies.push(latencyMs);
    else {
      // Reservoir sampling: every request of the minute is equally likely to be kept.
      const slot = Math.floor(Math.random() * b.requests);
      if (slot < SAMPLE) b.latencies[slot] = latencyMs;
    }
  }

  error(deployment: string, version: number, role: string) {
    const b = this.bucket(deployment, version, role);
    b.requests++;
    b.errors++;
  }

  series(deployment: string): MinuteStats[] {
    const out: MinuteStats[] = [];
    const since = Math.floor(Date.now() / 60_000) - KEEP_MINUTES;
    for (const [minute, byKey] of [...(this.buckets.get(deployment) ?? [])].sort((a, b) => a[0] - b[0])) {
      if (minute <= since) continue;
      for (const [key, b] of byKey) {
        const [version, role] = key.split(':');
        out.push({
          minute: new Date(minute * 60_000).toISOString(),
          version: Number(version),
          role: role!,
          requests: b.requests,
          errors: b.errors,
          p50Ms: quantile(b.latencies, 0.5),
          p99Ms: quantile(b.latencies, 0.99),
        });
      }
    }
    return out;
  }
}
