import { describe, expect, it } from 'vitest';
import { histogramOf, merged, percentile, requests } from './latency';
import { uncorrect } from './wrk';

/** What wrk 4 does to its latency histogram after a run (`stats_correct` in its stats.c), on a dense array. */
function wrkCorrect(data: number[], expected: number): void {
  const max = data.length - 1;
  for (let n = expected * 2; n <= max; n++) {
    const count = data[n]!;
    let m = n - expected;
    while (count && m > expected) {
      data[m]! += count;
      m -= expected;
    }
  }
}

const sparse = (data: number[]) => data.flatMap((count, us) => (count ? [[us, count] as [number, number]] : []));

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('uncorrect (wrk coordinated-omission correction undone)', () => {
  it('gives back the recorded latencies for any histogram and interval', () => {
    const rand = random(7);
    for (let trial = 0; trial < 50; trial++) {
      const interval = 1 + Math.floor(rand() * 400);
      const raw = new Array<number>(20_000).fill(0);
      // Mostly fast requests with a tail of stalls, like a server under a closed loop.
      for (let i = 0; i < 5_000; i++) {
        const us = rand() < 0.97 ? 100 + Math.floor(rand() * 300) : Math.floor(rand() * 19_999);
        raw[us]!++;
      }
      const corrected = [...raw];
      wrkCorrect(corrected, interval);
      expect(uncorrect(sparse(corrected), interval)).toEqual(sparse(raw));
    }
  });

  it('leaves a histogram with nothing past two intervals as it is', () => {
    expect(uncorrect([[150, 3], [199, 2]], 100)).toEqual([[150, 3], [199, 2]]);
  });

  it('refuses a histogram that no correction with that interval makes', () => {
    // 2 requests at 350 µs would have added 2 at 250 µs; there is only 1.
    expect(() => uncorrect([[250, 1], [350, 2]], 100)).toThrow(/does not undo with interval 100 µs: 1 at 250 µs, 2 made up/);
  });

  it('moves the p99 of a stalling fast server the way the made-up requests predict', () => {
    // 990 requests of 0.2 ms and 10 stalls of 10 ms: the p99 is 0.2 ms; wrk's correction with a 0.25 ms
    // interval adds 38 made-up requests per stall, and its p99 lands in the stall.
    const raw = new Array<number>(10_001).fill(0);
    raw[200] = 990;
    raw[10_000] = 10;
    const corrected = [...raw];
    wrkCorrect(corrected, 250);
    expect(percentile(uncorrect(sparse(corrected), 250), 99)).toBe(0.2);
    expect(percentile(sparse(corrected), 99)).toBeGreaterThan(5);
  });
});

describe('latency histograms', () => {
  it('reads percentiles as the smallest latency that covers the share, like a sorted list', () => {
    const h: [number, number][] = [[1000, 98], [5000, 1], [9000, 1]];
    expect(requests(h)).toBe(100);
    expect([percentile(h, 50), percentile(h, 98), percentile(h, 99), percentile(h, 100)]).toEqual([1, 1, 5, 9]);
    const list = [...Array<number>(98).fill(1), 5, 9];
    expect(histogramOf(list.reverse())).toEqual(h);
  });

  it('pools runs into one histogram of all their requests', () => {
    expect(merged([[[1000, 50], [5000, 1]], [[1000, 48], [9000, 1]]])).toEqual([[1000, 98], [5000, 1], [9000, 1]]);
  });

  it('has no figures for no requests', () => {
    expect(percentile([], 99)).toBeNaN();
  });
});
