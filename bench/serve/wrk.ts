import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Histogram, percentile, requests } from './latency';

/** What one HTTP load cell measured (latencies in ms). */
export interface HttpFigure {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  /** Every request's latency, for pooling rounds. */
  histogram: Histogram;
  /** wrk's own p99 (ms), with its coordinated-omission correction: shown for comparison, never pooled. */
  wrkCorrectedP99?: number;
}

/** Whether the `wrk` load generator (Debian's `wrk` package) is on PATH. */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // `wrk --version` prints its usage and exits 1: it is there.
    return (error as { status?: number }).status === 1;
  }
}

/**
 * The Lua script that makes wrk POST `bodies` in turn with `headers`, and print its figures as one
 * JSON line when done: `histogram` is wrk's latency histogram as [µs, count, µs, count, …].
 */
function script(bodies: string[], headers: Record<string, string>): string {
  const long = (s: string) => {
    let eq = '';
    while (s.includes(`]${eq}]`)) eq += '=';
    return `[${eq}[${s}]${eq}]`;
  };
  const headerTable = Object.entries(headers)
    .map(([k, v]) => `[ ${long(k)} ] = ${long(v)}`)
    .join(', ');
  return `local bodies = { ${bodies.map(long).join(',\n')} }
local headers = { ${headerTable} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, headers, bodies[(i % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local histogram = {}
  for k = 1, #latency do
    local us, count = latency(k)
    histogram[#histogram + 1] = string.format('%d,%d', us, count)
  end
  io.write(string.format('WRK {"requests":%d,"duration":%d,"status":%d,"timeout":%d,"other":%d,"histogram":[%s]}\\n',
    summary.requests, summary.duration, e.status, e.timeout, e.connect + e.read + e.write,
    table.concat(histogram, ',')))
end
`;
}

/**
 * Undoes wrk's coordinated-omission correction. After a run, wrk 4 takes the mean time between one
 * connection's requests (`interval`) and, for every recorded latency L of at least 2·interval, adds
 * made-up requests at L − interval, L − 2·interval, … down to just above one interval, as if requests
 * had kept arriving at that pace while the server stalled (`stats_correct` in its stats.c). That
 * models an open-loop load at exactly the server's own throughput; this bench is closed-loop (each
 * connection sends its next request when the previous one is answered), and the made-up requests
 * grow with the target's speed: a stall costs a server twice as fast twice as many entries in its
 * tail, so the peers' p99s are not compared on the same footing. At c=1 the corrected latencies of a
 * run added up to half again the run's length, which no real requests over one connection can.
 *
 * `corrected`: [µs, count] ascending, as wrk's `done()` sees them. Every added entry at m comes from
 * a real one at m + k·interval (k ≥ 1), so going down from the top, each latency's own count is its
 * corrected count less the real counts already found above it in steps of `interval`.
 */
export function uncorrect(corrected: Histogram, interval: number): Histogram {
  const above = new Map<number, number>();
  const real: Histogram = [];
  for (let k = corrected.length - 1; k >= 0; k--) {
    const [us, count] = corrected[k]!;
    const step = us % interval;
    const made = us > interval ? (above.get(step) ?? 0) : 0;
    const own = count - made;
    if (own < 0) throw new Error(`wrk's latency histogram does not undo with interval ${interval} µs: ${count} at ${us} µs, ${made} made up from above`);
    above.set(step, (above.get(step) ?? 0) + own);
    if (own > 0) real.push([us, own]);
  }
  return real.reverse();
}

/**
 * wrk (one thread, `c` connections) POSTing the bodies in turn for `seconds`, after a 1 s warm-up.
 * A C client: on a small machine it takes far less of the CPU, and adds far less to each request's
 * time, than a Node client would, so what is measured is the server.
 */
export async function overWrk(
  url: string,
  c: number,
  seconds: number,
  bodies: string[],
  headers: Record<string, string>,
): Promise<HttpFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-wrk-'));
  const file = join(dir, 'post.lua');
  writeFileSync(file, script(bodies, { 'content-type': 'application/json', ...headers }));
  const run = async (duration: number) => {
    const { stdout } = await promisify(execFile)(
      'wrk',
      ['-t1', `-c${c}`, `-d${duration}s`, '--timeout', '10s', '-s', file, url],
      { maxBuffer: 256 << 20 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRK '));
    if (!line) throw new Error(`wrk printed no figures: ${stdout}`);
    return JSON.parse(line.slice(4)) as {
      requests: number;
      duration: number;
      status: number;
      timeout: number;
      other: number;
      histogram: number[];
    };
  };
  let r: Awaited<ReturnType<typeof run>>;
  try {
    await run(1);
    r = await run(seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const corrected: Histogram = [];
  for (let k = 0; k < r.histogram.length; k += 2) corrected.push([r.histogram[k]!, r.histogram[k + 1]!]);
  // wrk's interval, as it computes it (integer µs); it corrects only when each connection made a request.
  const perConnection = Math.floor(r.requests / c);
  const real = perConnection > 0 ? uncorrect(corrected, Math.floor(r.duration / perConnection)) : corrected;
  // Every answered request is in the histogram, but for those that took longer than the timeout.
  const recorded = requests(real);
  if (recorded > r.requests || recorded < r.requests - r.timeout) {
    throw new Error(`wrk's histogram holds ${recorded} requests once uncorrected, but ${r.requests} were answered (${r.timeout} timed out)`);
  }
  const ok = r.requests - r.status;
  return {
    rps: ok / (r.duration / 1e6),
    p50: percentile(real, 50),
    p99: percentile(real, 99),
    ok,
    errors: r.status + r.timeout + r.other,
    histogram: real,
    wrkCorrectedP99: percentile(corrected, 99),
  };
}
