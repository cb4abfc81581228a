import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GRID, percentile, type Quantiles } from './latency';

/** What one HTTP load cell measured (latencies in ms). */
export interface HttpFigure {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  /** The latencies on the GRID, for pooling rounds. */
  quantiles: Quantiles;
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
 * JSON line when done (latencies in microseconds, `at`: at each GRID percentile).
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
local grid = { ${GRID.join(', ')} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, headers, bodies[(i % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local at = {}
  for k, q in ipairs(grid) do at[k] = string.format('%d', latency:percentile(q)) end
  io.write(string.format('WRK {"requests":%d,"duration":%d,"status":%d,"other":%d,"at":[%s]}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    table.concat(at, ',')))
end
`;
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
      { maxBuffer: 1 << 20 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRK '));
    if (!line) throw new Error(`wrk printed no figures: ${stdout}`);
    return JSON.parse(line.slice(4)) as {
      requests: number;
      duration: number;
      status: number;
      other: number;
      at: number[];
    };
  };
  let r: Awaited<ReturnType<typeof run>>;
  try {
    await run(1);
    r = await run(seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = r.requests - r.status;
  const quantiles = { count: r.requests, at: r.at.map((us) => us / 1000) };
  return {
    rps: ok / (r.duration / 1e6),
    p50: percentile(quantiles, 50),
    p99: percentile(quantiles, 99),
    ok,
    errors: r.status + r.other,
    quantiles,
  };
}
