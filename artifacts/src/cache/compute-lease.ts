import { cacheKeySchema } from '@kiln/engine';
import type { NamedObjects } from '../named-objects';

const GENERATION = /^g(\d{9})\.json$/;

/** A lease this process holds: renew it while computing, release it when done (success or not). */
export interface HeldLease {
  readonly generation: number;
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * One worker's claim to compute a cache key, so that runs reaching the same key at once compute
 * it once. Leases are named objects `cache/leases/<type>/<key>/g<generation>.json`, each created
 * with a conditional create (`NamedObjects.create`: link(2) in a folder, `If-None-Match: *` on S3),
 * so of several creators of one generation exactly one wins.
 *
 * The holder rewrites its lease (a beat counter) every few seconds. A waiter never compares clocks
 * with the holder: it takes over only when it has itself seen the newest generation's content stay
 * unchanged for `staleMs` (a killed or cut-off holder), by creating the next generation, which
 * again only one waiter can do. The holder removes its generations when it is done.
 */
export class LeaseClaim {
  private lastSeen: string | undefined;
  private lastChange = 0;

  constructor(
    private readonly objects: NamedObjects,
    type: string,
    key: string,
    private readonly owner: string,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.prefix = `cache/leases/${type}/${cacheKeySchema.parse(key)}`;
  }

  private readonly prefix: string;

  /** Takes the lease if it is free or stale; undefined while another holder is alive. */
  async tryAcquire(): Promise<HeldLease | undefined> {
    const generations = await this.generations();
    const top = generations.at(-1);
    if (top !== undefined) {
      const body = await this.objects.get(this.keyOf(top));
      if (body) {
        const seen = `${top}:${Buffer.from(body).toString('base64')}`;
        if (seen !== this.lastSeen) {
          this.lastSeen = seen;
          this.lastChange = this.now();
        }
        if (this.now() - this.lastChange < this.staleMs) return undefined;
      }
    }
    const generation = (top ?? 0) + 1;
    if (!(await this.objects.create(this.keyOf(generation), this.body(0)))) return undefined;
    let beat = 0;
    return {
      generation,
      renew: () => this.objects.put(this.keyOf(generation), this.body(++beat)),
      release: async () => {
        const mine = (await this.generations()).filter((g) => g <= generation);
        await this.objects.remove(mine.map((g) => this.keyOf(g)));
      },
    };
  }

  private async generations(): Promise<number[]> {
    return (await this.objects.list(this.prefix))
      .map((n) => GENERATION.exec(n)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private keyOf(generation: number): string {
    return `${this.prefix}/g${String(generation).padStart(9, '0')}.json`;
  }

  private body(beat: number): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ owner: this.owner, beat }));
  }
}
