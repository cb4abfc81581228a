// bench/serve: online predictions of one GBDT model (the churn example's) with single-row requests at
// concurrency 1, 16 and 64, measured in the same run for:
//   kiln        POST /api/v1/deployments/:name/predict on a real `kiln api` (bearer token), the model
//               trained by the churn pipeline run through the API, registered and deployed (default
//               prediction logging; `kiln-nolog`: a second deployment of it with logSampleRate 0);
//   fastify+pool  a bare Fastify route in front of the same InferencePool (pool-server.ts);
//   pool        InferencePool.predict in process (no HTTP; batches concurrent calls, so it can pass ort);
//   ort         onnxruntime-node in process, one row per session.run() (no HTTP, no threads): the
//               issue's ceiling, "in-process onnxruntime-node on the same rows";
//   fastapi     Python onnxruntime behind FastAPI on uvicorn (peer_server.py), same model file and JSON.
// Every HTTP target is loaded by the same client: wrk (a C program, Debian's `wrk` package) when it
// is installed, else autocannon (BENCH_CLIENT=wrk|autocannon to choose). Latencies are those of the
// requests made: wrk's coordinated-omission correction is undone (see `uncorrect` in wrk.ts).
// Usage: npm run serve -w @kiln/bench (BENCH_SECONDS per cell and round, default 5; BENCH_ROUNDS, default 3;
// BENCH_KILN=0 skips the Kiln API part;
// BENCH_PYTHON, default .kiln/tools/bench-venv/bin/python, made and filled from PyPI on first use;
// BENCH_API_PROF=<dir> writes a CPU profile of the `kiln api` process there; BENCH_API_NODE_FLAGS adds
// Node flags to it, e.g. "--trace-gc"; BENCH_CONCURRENCY, default 1,16,64).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { freePort } from '@kiln/engine/free-port';
import {
  startDevServer,
  type DevServer,
} from '@kiln/engine/temporal';
import { InferencePool, type ModelSignature, type PredictResult } from '@kiln/serving';
import { CHURN_CSV, trainChurnModel } from '@kiln/test/support/trained-models';
import { child } from '../support/child';
import { histogramOf, merged, percentile } from './latency';
import { type HttpFigure, hasWrk, overWrk } from './wrk';

const here = dirname(fileURLToPath(import.meta.url));
const KILN = join(here, '../../cli/bin/kiln.js');
const CHURN_SPEC = join(here, '../../examples/churn/churn.json');
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * Each concurrency is measured in rounds, every target once per round, in turn; a target's req/s is
 * its median round, its p50 and p99 those of all its rounds' requests together. On a shared VM the
 * speed drifts by ±15% over minutes and bursts of noise come and go: interleaved rounds let every
 * target meet the same drift, the median drops a round that met a slow spell, and pooled latencies
 * do not hang a target's p99 on whichever round happened to be its median.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const PEER_REQUIREMENTS = [
  'fastapi==0.165.0',
  'uvicorn[standard]==0.54.0',
  'onnxruntime==1.30.0',
  'numpy==2.4.6',
];
const TOKEN = 'kiln_bench_admin';
const DEPLOYMENT = 'churn-bench';
/** The same version deployed with prediction logging off, to show what logging costs. */
const DEPLOYMENT_NOLOG = 'churn-bench-nolog';
/** Everything the run writes (the API's database and artifacts, the model file), removed at the end. */
const SCRATCH = mkdtempSync(join(tmpdir(), 'kiln-bench-serve-'));
const scratchDir = (name: string) => mkdtempSync(join(SCRATCH, `${name}-`));

type Row = Record<string, string | number | null>;
type Figure = HttpFigure;
/** The HTTP load generator: wrk when it is installed (Debian's `wrk`), else autocannon (BENCH_CLIENT to choose). */
const CLIENT = process.env.BENCH_CLIENT ?? (hasWrk() ? 'wrk' : 'autocannon');


function figure(latencies: number[], seconds: number, errors: number): Figure {
  const histogram = histogramOf(latencies);
  return {
    rps: latencies.length / seconds,
    p50: percentile(histogram, 50),
    p99: percentile(histogram, 99),
    ok: latencies.length,
    errors,
    histogram,
  };
}

/** `c` callers in a loop for DURATION seconds (after a 1 s warm-up), each timing its calls. */
async function inProcess(c: number, call: (i: number) => Promise<unknown>): Promise<Figure> {
  let n = 0;
  const loop = async (until: number, latencies: number[] | null) => {
    while (performance.now() < until) {
      const t = performance.now();
      await call(n++);
      latencies?.push(performance.now() - t);
    }
  };
  const warm = performance.now() + 1000;
  await Promise.all(Array.from({ length: c }, () => loop(warm, null)));
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + DURATION * 1000;
  await Promise.all(Array.from({ length: c }, () => loop(until, latencies)));
  return figure(latencies, (performance.now() - start) / 1000, 0);
}

/** POSTs the bodies in turn over `c` connections with the chosen client. */
function overHttp(url: string, c: number, bodies: string[], headers: Record<string, string>): Promise<Figure> {
  return CLIENT === 'wrk' ? overWrk(url, c, DURATION, bodies, headers) : overAutocannon(url, c, bodies, headers);
}

/** autocannon with `c` connections, cycling through the request bodies; latencies timed per response (sub-ms). */
async function overAutocannon(
  url: string,
  c: number,
  bodies: string[],
  headers: Record<string, string>,
): Promise<Figure> {
  const run = async (duration: number, latencies: number[] | null) => {
    let i = 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          method: 'POST',
          connections: c,
          duration,
          headers: { 'content-type': 'application/json', ...headers },
          requests: [
            { method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }) },
          ],
        },
        (err, res) => (err ? reject(err as Error) : resolve(res)),
      );
      // The instance's 'response' event (unlike a client's, which the types describe) leads with the client.
      (instance as unknown as NodeJS.EventEmitter).on(
        'response',
        (_client: unknown, status: number, _bytes: number, ms: number) => {
          if (status === 200) latencies?.push(ms);
        },
      );
    });
    return result.non2xx + result.errors + result.timeouts;
  };
  await run(1, null);
  const latencies: number[] = [];
  const errors = await run(DURATION, latencies);
  return figure(latencies, DURATION, errors);
}

/** The churn CSV's rows as JSON instances of the model's features (empty cells are null). */
function churnRows(sig: ModelSignature): Row[] {
  const [header, ...lines] = readFileSync(CHURN_CSV, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row: Row = {};
    for (const f of sig.features) {
      const cell = cells[names.indexOf(f.name)] ?? '';
      row[f.name] = cell === '' ? null : f.type === 'float' ? Number(cell) : cell;
    }
    return row;
  });
}

function ortFeeds(sig: ModelSignature, rows: Row[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const f of sig.features) {
    feeds[f.name] =
      f.type === 'float'
        ? new ort.Tensor(
            'float32',
            Float32Array.from(rows, (r) => (r[f.name] === null ? NaN : Number(r[f.name]))),
            [rows.length, 1],
          )
        : new ort.Tensor(
            'string',
            rows.map((r) => (r[f.name] === null ? '' : String(r[f.name]))),
            [rows.length, 1],
          );
  }
  return feeds;
}

/** The largest difference between two answers for the same rows (labels must be equal). */
function difference(a: PredictResult, b: PredictResult, what: string): number {
  if (JSON.stringify(a.predictions) !== JSON.stringify(b.predictions))
    throw new Error(`${what}: predictions differ`);
  let d = 0;
  a.probabilities?.forEach((row, i) =>
    row.forEach((p, k) => (d = Math.max(d, Math.abs(p - b.probabilities![i]![k]!)))),
  );
  return d;
}

interface KilnStack {
  url: string;
  /** Why the Kiln endpoint cannot be measured, when it cannot. */
  missing?: string;
  onnx?: Uint8Array;
  signature?: ModelSignature;
  stop(): Promise<void>;
}

/** A Temporal dev server, a worker and `kiln api`; the churn pipeline run, registered and deployed. */
async function startKiln(): Promise<KilnStack> {
  const children: ChildProcess[] = [];
  let temporal: DevServer | undefined;
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await temporal?.stop();
  };
  try {
    temporal = await startDevServer();
    const env = {
      KILN_ARTIFACTS: scratchDir('artifacts'),
      KILN_HOME: scratchDir('home'),
      // The churn data sits in examples/, outside the default data roots (the working directory).
      KILN_DATA_ROOTS: [process.cwd(), dirname(CHURN_CSV)].join(':'),
    };
    children.push(
      await child(
        [KILN, 'worker', '--queues', 'cpu', '--temporal-address', temporal.address],
        env,
        'kiln worker: serving',
      ),
    );
    const port = await freePort();
    children.push(
      await child(
        [
          ...(process.env.BENCH_API_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_PROF}`] : []),
          ...(process.env.BENCH_API_NODE_FLAGS ? process.env.BENCH_API_NODE_FLAGS.split(' ') : []),
          KILN,
          'api',
          '--temporal-address',
          temporal.address,
          '--data-dir',
          scratchDir('db'),
        ],
        { ...env, KILN_API_PORT: String(port), KILN_ADMIN_TOKEN: TOKEN, KILN_LOG_LEVEL: 'error' },
        'listening',
      ),
    );
    const url = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const openapi = (await call('GET', '/api/openapi.json')) as { paths?: Record<string, unknown> };
    const paths = Object.keys(openapi.paths ?? {});
    if (
      !paths.includes('/api/v1/deployments/{name}/predict') ||
      !paths.includes('/api/v1/deployments/{name}')
    ) {
      return {
        url,
        missing: 'the API has no PUT /api/v1/deployments/:name and POST …/:name/predict routes yet',
        stop,
      };
    }
    // The churn example through the API: run, register the trained model, deploy it.
    const pipeline = await call('POST', '/api/v1/pipelines', {
      spec: JSON.parse(readFileSync(CHURN_SPEC, 'utf8')),
    });
    const { runId } = (await call('POST', `/api/v1/pipelines/${String(pipeline.id)}/runs`, {
      params: { data: CHURN_CSV },
    })) as { runId: string };
    let status = 'running';
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 600 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      run = await call('GET', `/api/v1/runs/${runId}`);
      status = String(run.status);
    }
    if (status !== 'succeeded') throw new Error(`the churn run ended ${status}: ${String(run.error ?? 'no error recorded')}`);
    const version = (await call('POST', `/api/v1/models/churn/versions`, {
      runId,
      nodeId: 'train',
      metricsNodeId: 'evaluate',
    })) as {
      version: number;
      model: ModelSignature & { artifact: { digest: string } };
    };
    const res = await fetch(`${url}/api/v1/artifacts/${version.model.artifact.digest}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (!res.ok) throw new Error(`GET artifact: ${res.status}`);
    const onnx = new Uint8Array(await res.arrayBuffer());
    await call('PUT', `/api/v1/deployments/${DEPLOYMENT}`, { model: 'churn', version: version.version });
    await call('PUT', `/api/v1/deployments/${DEPLOYMENT_NOLOG}`, {
      model: 'churn',
      version: version.version,
      logSampleRate: 0,
    });
    const { task, features, classes } = version.model;
    return { url, onnx, signature: { task, features, classes }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main() {
  const kiln = process.env.BENCH_KILN === '0' ? undefined : await startKiln();
  const children: ChildProcess[] = [];
  try {
    let onnx = kiln?.onnx;
    let signature = kiln?.signature;
    let modelSource = 'the churn pipeline run through the Kiln API (registered version 1)';
    if (!onnx || !signature) {
      ({ onnx, signature } = await trainChurnModel());
      modelSource =
        'the churn example trained in process (ingest → featurize → train.gbdt, the pipeline’s params)';
    }
    const rows = churnRows(signature);
    const bodies = rows.map((r) => JSON.stringify({ instances: [r] }));
    const dir = scratchDir('model');
    const modelFile = join(dir, 'model.onnx');
    const signatureFile = join(dir, 'signature.json');
    writeFileSync(modelFile, onnx);
    writeFileSync(signatureFile, JSON.stringify(signature));

    // Servers in their own processes: the Python peer, and Fastify + the pool.
    const python =
      process.env.BENCH_PYTHON ??
      venvPython(
        await ensurePythonVenv({ name: 'bench-venv', requirements: PEER_REQUIREMENTS, log: console.log }),
      );
    const peerPort = await freePort();
    const peer = spawn(python, [join(here, 'peer_server.py'), modelFile, signatureFile, String(peerPort)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(peer);
    const poolPort = await freePort();
    children.push(
      await child(
        ['--import', '@swc-node/register/esm-register', join(here, 'pool-server.ts')],
        { MODEL: modelFile, SIGNATURE: signatureFile, PORT: String(poolPort) },
        'listening',
      ),
    );
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(`${peerUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 600 || peer.exitCode !== null) throw new Error('the FastAPI peer did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    // In process: onnxruntime-node directly, and the pool.
    const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const pool = await InferencePool.start();
    await pool.load('model', onnx, signature);

    // Every target answers the same rows the same way before anything is timed.
    const sample = rows.slice(0, 50);
    const post = async (url: string, headers: Record<string, string> = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ instances: sample }),
      });
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as PredictResult;
    };
    const reference = await pool.predict('model', sample);
    const direct = await session.run(ortFeeds(signature, sample));
    const k = signature.classes!.length;
    const directResult: PredictResult = {
      predictions: Array.from(direct.label!.data as BigInt64Array, Number),
      probabilities: sample.map((_, i) =>
        Array.from((direct.probabilities!.data as Float32Array).subarray(i * k, (i + 1) * k)),
      ),
    };
    const kilnUrl =
      kiln && !kiln.missing ? `${kiln.url}/api/v1/deployments/${DEPLOYMENT}/predict` : undefined;
    const kilnNoLogUrl =
      kiln && !kiln.missing ? `${kiln.url}/api/v1/deployments/${DEPLOYMENT_NOLOG}/predict` : undefined;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const diffs: Record<string, number> = {
      ort: difference(directResult, reference, 'onnxruntime-node'),
      'fastify+pool': difference(
        await post(`http://127.0.0.1:${poolPort}/predict`),
        reference,
        'fastify+pool',
      ),
      fastapi: difference(await post(`${peerUrl}/predict`), reference, 'FastAPI peer'),
    };
    if (kilnUrl && kilnNoLogUrl) {
      // The deployment may take a moment to load its model.
      for (let i = 0; ; i++) {
        try {
          diffs.kiln = difference(await post(kilnUrl, auth), reference, 'Kiln API');
          diffs['kiln-nolog'] = difference(
            await post(kilnNoLogUrl, auth),
            reference,
            'Kiln API, logging off',
          );
          break;
        } catch (error) {
          if (i > 100) throw error;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    }

    const results: { target: string; concurrency: number; figure: Figure; rounds: Figure[] }[] = [];
    for (const c of CONCURRENCY) {
      const rounds = new Map<string, Figure[]>();
      const measure = async (target: string, run: () => Promise<Figure>) => {
        const f = await run();
        rounds.set(target, [...(rounds.get(target) ?? []), f]);
        console.log(
          `  ${target} c=${c}: ${f.rps.toFixed(0)} req/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms` +
            `${f.wrkCorrectedP99 === undefined ? '' : ` (wrk's corrected p99 ${f.wrkCorrectedP99.toFixed(2)} ms)`}, errors ${f.errors}`,
        );
      };
      for (let round = 1; round <= ROUNDS; round++) {
        console.log(`c=${c}, round ${round} of ${ROUNDS}`);
        if (kilnUrl) await measure('kiln', () => overHttp(kilnUrl, c, bodies, auth));
        if (kilnNoLogUrl) await measure('kiln-nolog', () => overHttp(kilnNoLogUrl, c, bodies, auth));
        await measure('fastify+pool', () => overHttp(`http://127.0.0.1:${poolPort}/predict`, c, bodies, {}));
        await measure('fastapi', () => overHttp(`${peerUrl}/predict`, c, bodies, {}));
        await measure('pool', () => inProcess(c, (i) => pool.predict('model', [rows[i % rows.length]!])));
        await measure('ort', () =>
          inProcess(c, (i) => session.run(ortFeeds(signature, [rows[i % rows.length]!]))),
        );
      }
      for (const [target, figures] of rounds) {
        // Throughput: the median round. Latency: every request of every round together.
        const median = [...figures].sort((a, b) => a.rps - b.rps)[Math.floor(figures.length / 2)]!;
        const histogram = merged(figures.map((f) => f.histogram));
        results.push({
          target,
          concurrency: c,
          figure: {
            rps: median.rps,
            p50: percentile(histogram, 50),
            p99: percentile(histogram, 99),
            ok: figures.reduce((s, f) => s + f.ok, 0),
            errors: figures.reduce((s, f) => s + f.errors, 0),
            histogram,
          },
          rounds: figures,
        });
      }
    }
    const stats = pool.stats();
    await pool.close();
    await session.release();

    const get = (target: string, c: number) =>
      results.find((r) => r.target === target && r.concurrency === c)?.figure;
    const names: Record<string, string> = {
      kiln: 'Kiln POST /deployments/:name/predict',
      'kiln-nolog': '  same, prediction logging off',
      'fastify+pool': 'bare Fastify + InferencePool',
      fastapi: 'FastAPI/uvicorn + Python onnxruntime',
      pool: 'InferencePool in process (batched)',
      ort: 'onnxruntime-node in process (ceiling)',
    };
    console.log(
      `\nbench/serve — churn GBDT (${modelSource}), single-row requests, ${ROUNDS} interleaved rounds of ${DURATION} s per cell ` +
        `(req/s: the median round; p50, p99: over every request of all rounds), ` +
        `${availableParallelism()} cores (${cpus()[0]?.model ?? 'cpu'}), pool threads ${stats.threads}, one uvicorn process, ` +
        `HTTP client ${CLIENT}`,
    );
    console.log(
      `answers checked on 50 rows against the pool: largest probability difference ${JSON.stringify(diffs)}`,
    );
    if (kiln?.missing) console.log(`Kiln API not measured: ${kiln.missing}`);
    if (!kiln) console.log('Kiln API not measured: BENCH_KILN=0');
    const peerTarget = kilnUrl ? 'kiln' : 'fastify+pool';
    console.log(
      `ratios (req/s): /peer = ${peerTarget} ÷ FastAPI; /ceiling = ${peerTarget} ÷ onnxruntime-node in process, one row per run` +
        (peerTarget === 'kiln'
          ? '; /fastify = kiln ÷ bare Fastify + pool (what the API adds over HTTP + pool)'
          : ''),
    );
    console.log(
      'target                                   conc     req/s    p50 ms    p99 ms   errors   /peer  /ceiling  /fastify   rounds (req/s / p99 ms)',
    );
    for (const c of CONCURRENCY) {
      for (const target of Object.keys(names)) {
        const f = get(target, c);
        if (!f) continue;
        const spread = results
          .find((r) => r.target === target && r.concurrency === c)!
          .rounds.map((r) => `${r.rps.toFixed(0)}/${r.p99.toFixed(2)}`)
          .join(' ');
        const ratios =
          target === peerTarget
            ? `${(f.rps / get('fastapi', c)!.rps).toFixed(2).padStart(7)} ${(f.rps / get('ort', c)!.rps).toFixed(2).padStart(9)}` +
              (target === 'kiln' ? ` ${(f.rps / get('fastify+pool', c)!.rps).toFixed(2).padStart(9)}` : '')
            : '';
        console.log(
          `${names[target]!.padEnd(40)} ${String(c).padStart(4)} ${f.rps.toFixed(0).padStart(9)} ${f.p50.toFixed(2).padStart(9)} ${f.p99.toFixed(2).padStart(9)} ${String(f.errors).padStart(8)} ${ratios.padEnd(27)}   ${spread}`,
        );
      }
    }
    console.log(
      `pool: ${stats.batches} batches for ${stats.rows} rows (${(stats.rows / stats.batches).toFixed(1)} rows per session.run)`,
    );
    const out = join(here, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'serve.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          modelSource,
          duration: DURATION,
          rounds: ROUNDS,
          client: CLIENT,
          diffs,
          results,
          poolStats: stats,
          kilnMissing: kiln?.missing ?? null,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await kiln?.stop();
    rmSync(SCRATCH, { recursive: true, force: true, maxRetries: 5 });
  }
}

await main();
