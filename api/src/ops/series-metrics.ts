import type { MetricValue, Registry } from 'prom-client';

/**
 * Counters and histograms for the per-request path, exported through a prom-client registry exactly
 * as prom-client's own would be. A series is found once (by its label values) and then updated with
 * plain arithmetic: prom-client validates and hashes the labels on every update, even of a labelled
 * child, which costs more than the rest of the bookkeeping of a served prediction.
 */
abstract class SeriesMetric<S> {
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, { labels: Record<string, string>; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registers: readonly Registry[],
  ) {
    // The registry only calls get() and reset(), as on its own metrics.
    for (const registry of registers) registry.registerMetric(this as never);
  }

  /** The series of these label values (in `labelNames` order, or by name). */
  labels(...values: string[] | [Record<string, string>]): S {
    const named = typeof values[0] === 'object' ? values[0] : null;
    const list = named ? this.labelNames.map((n) => named[n] ?? '') : (values as string[]);
    if (list.length !== this.labelNames.length) {
      throw new Error(`${this.name}: ${this.labelNames.length} label values expected (${this.labelNames.join(', ')}), got ${list.length}`);
    }
    const key = list.join('\u0000');
    let found = this.series.get(key);
    if (!found) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, list[i]!]));
      found = { labels, state: this.newState() };
      this.series.set(key, found);
    }
    return found.state;
  }

  reset(): void {
    this.series.clear();
  }

  /** What the registry prints: per value, its own labels (`le`) apart from the series' (as prom-client does). */
  getForPromString(): Promise<ExportedMetric<Exported>> {
    const values: Exported[] = [];
    for (const { labels, state } of this.series.values()) values.push(...this.values(labels, state));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** The same values with every value's labels in one object (the registry's JSON). */
  async get(): Promise<ExportedMetric<MetricValue<string> & { metricName?: string }>> {
    const metric = await this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ labels, sharedLabels, value, metricName }) => ({
        labels: { ...sharedLabels, ...labels },
        value,
        ...(metricName === undefined ? {} : { metricName }),
      })),
    };
  }

  protected abstract readonly type: 'counter' | 'histogram';
  protected abstract newState(): S;
  protected abstract values(labels: Record<string, string>, state: S): Exported[];
}

/** What the registry reads from a metric. */
interface ExportedMetric<V> {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: V[];
}

/** One exported value: `labels` its own, `sharedLabels` its series'. */
type Exported = MetricValue<string> & { metricName?: string; sharedLabels: Record<string, string> };

/** A counter series. */
export class CounterSeries {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

export class SeriesCounter extends SeriesMetric<CounterSeries> {
  protected readonly type = 'counter';

  protected newState(): CounterSeries {
    return new CounterSeries();
  }

  protected values(labels: Record<string, string>, state: CounterSeries): Exported[] {
    return [{ labels: {}, sharedLabels: labels, value: state.value }];
  }
}

/** A histogram series: counts per bucket (not cumulative until exported), sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  protected readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[], registers: readonly Registry[]) {
    super(name, help, labelNames, registers);
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  protected newState(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  protected values(labels: Record<string, string>, state: HistogramSeries): Exported[] {
    const bucket = `${this.name}_bucket`;
    const out: Exported[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += state.counts[i]!;
      out.push({ labels: { le: bound } as never, sharedLabels: labels, value: cumulative, metricName: bucket });
    });
    out.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: state.count, metricName: bucket });
    out.push({ labels: {}, sharedLabels: labels, value: state.sum, metricName: `${this.name}_sum` });
    out.push({ labels: {}, sharedLabels: labels, value: state.count, metricName: `${this.name}_count` });
    return out;
  }
}
