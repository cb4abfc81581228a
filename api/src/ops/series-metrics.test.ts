import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from './series-metrics';

describe('series metrics', () => {
  it('print and list exactly what prom-client’s own histogram and counter print for the same updates', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const buckets = [0.001, 0.01, 0.1, 1];
    const h = new SeriesHistogram('t_seconds', 'help text', ['a', 'b'], buckets, [ours]);
    const c = new SeriesCounter('t_total', 'counted', ['a'], [ours]);
    const ph = new Histogram({ name: 't_seconds', help: 'help text', labelNames: ['a', 'b'], buckets, registers: [theirs] });
    const pc = new Counter({ name: 't_total', help: 'counted', labelNames: ['a'], registers: [theirs] });
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      // Values on bucket bounds too (a bound belongs to its own bucket), and past the last one.
      const v = i % 50 === 0 ? buckets[i % 4]! : rand() * 2;
      const a = i % 3 === 0 ? 'x' : 'y"quoted\\';
      const b = String(i % 2);
      (i % 2 ? h.labels(a, b) : h.labels({ a, b })).observe(v);
      ph.labels(a, b).observe(v);
      c.labels(a).inc(i % 4);
      pc.labels(a).inc(i % 4);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // prom-client's JSON also carries empty exemplars.
    const withoutExemplars = (json: unknown) => JSON.parse(JSON.stringify(json, (k, v: unknown) => (k === 'exemplar' ? undefined : v)));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
  });

  it('refuses a wrong number of label values and a value that is not a number, naming the metric', () => {
    const h = new SeriesHistogram('t_seconds', 'help', ['a', 'b'], [1], [new Registry()]);
    expect(() => h.labels('only one')).toThrow(/t_seconds: 2 label values expected \(a, b\), got 1/);
    expect(() => h.labels('x', 'y').observe(NaN)).toThrow(/not a valid number/);
  });
});
