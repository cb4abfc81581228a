/** A grant of cores: release it once when the node has ended. */
export interface CoreGrant {
  /** The cores held now. */
  readonly cores: number;
  /** Gives back all but `keep` of them (a node that will use fewer threads than it asked for); never grows the grant. */
  keep(keep: number): void;
  release(): void;
}

interface Waiter {
  readonly cores: number;
  readonly grant: (grant: CoreGrant) => void;
}

/**
 * A worker process's cores (`KILN_WORKER_CPUS`), held by the nodes that ask for some
 * (`resources.cpu`) while they run, so that two trainers that each use every core do not run at once
 * and thrash. Grants go first come, first served: a large request at the head of the line is not
 * overtaken by small ones forever. A request larger than the budget counts as all of it. Nodes that
 * ask for no cores are not counted (no-ops, gates, I/O-bound steps).
 */
export class CpuBudget {
  private held = 0;
  private readonly line: Waiter[] = [];

  constructor(readonly total: number) {
    if (!(total > 0)) throw new Error(`a worker's core budget must be positive, not ${total}`);
  }

  /** Cores granted now. */
  get inUse(): number {
    return this.held;
  }

  /**
   * Takes `asked` cores (at most the whole budget), waiting in line until they are free; `onWait`
   * is told once when the request has to wait. Rejects with `signal.reason` if it aborts first.
   */
  acquire(asked: number, signal: AbortSignal, onWait?: (inUse: number) => void): Promise<CoreGrant> {
    const cores = Math.min(asked, this.total);
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.line.length === 0 && this.fits(cores)) return Promise.resolve(this.take(cores));
    onWait?.(this.held);
    return new Promise<CoreGrant>((resolve, reject) => {
      const waiter: Waiter = {
        cores,
        grant: (grant) => {
          signal.removeEventListener('abort', onAbort);
          resolve(grant);
        },
      };
      const onAbort = () => {
        const at = this.line.indexOf(waiter);
        if (at >= 0) this.line.splice(at, 1);
        // Its place at the head may have held back others that fit now.
        this.grantWaiting();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.line.push(waiter);
    });
  }

  private fits(cores: number): boolean {
    // A little slack for sums of fractional requests (0.1 + 0.2).
    return this.held + cores <= this.total + 1e-9;
  }

  private take(cores: number): CoreGrant {
    this.held += cores;
    let holding = cores;
    const giveBack = (to: number) => {
      if (to >= holding) return;
      this.held = Math.max(0, this.held - (holding - to));
      holding = to;
      this.grantWaiting();
    };
    return {
      get cores() {
        return holding;
      },
      keep: (keep) => giveBack(Math.max(0, keep)),
      release: () => giveBack(0),
    };
  }

  private grantWaiting(): void {
    while (this.line.length > 0 && this.fits(this.line[0]!.cores)) {
      const next = this.line.shift()!;
      next.grant(this.take(next.cores));
    }
  }
}
