import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, inject, it } from 'vitest';
import { freePort } from '@kiln/engine/free-port';
import { tempDir } from '../support/harness';
import { KILN_BIN, kiln } from '../support/kiln-process';

it('kiln up brings the product up on embedded defaults, serves the studio and the API, and stops on Ctrl-C', async () => {
  const port = await freePort();
  const home = tempDir('kiln-up-');
  const child = spawn(process.execPath, [KILN_BIN, 'up', '--port', String(port)], {
    // The diamond example runs shell commands: user code, which the operator enables here.
    env: { ...process.env, KILN_HOME: home, TEMPORAL_CLI: inject('temporalCli'), KILN_ALLOW_USER_CODE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  try {
    const deadline = Date.now() + 150_000;
    while (!out.includes('Ctrl-C stops everything')) {
      if (child.exitCode !== null) throw new Error(`kiln up exited: ${out}`);
      if (Date.now() > deadline) throw new Error(`kiln up did not come up: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = /Admin token\s+(kiln_\S+)/.exec(out)?.[1];
    expect(token, out).toBeTruthy();
    const url = `http://127.0.0.1:${port}`;
    expect(out).toContain(`Studio       ${url}/`);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const studio = await fetch(`${url}/`);
    expect(studio.headers.get('content-type')).toContain('text/html');
    const H = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const spec = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/diamond/diamond.json'), 'utf8'));
    const { id } = (await (await fetch(`${url}/api/v1/pipelines`, { method: 'POST', headers: H, body: JSON.stringify({ spec }) })).json()) as { id: string };
    const { runId } = (await (await fetch(`${url}/api/v1/pipelines/${id}/runs`, { method: 'POST', headers: H, body: '{}' })).json()) as { runId: string };
    let status = 'running';
    for (let i = 0; i < 100 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 300));
      status = ((await (await fetch(`${url}/api/v1/runs/${runId}`, { headers: H })).json()) as { status: string }).status;
    }
    expect(status).toBe('succeeded');

    // One kiln up per state folder: a second says where the first is and exits 1 at once.
    const startedAt = Date.now();
    const second = await kiln(['up', '--port', String(await freePort())], { env: { KILN_HOME: home, TEMPORAL_CLI: inject('temporalCli') } });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`kiln up is already running at ${url}/`);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(second.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace

    // kiln run beside it uses its Temporal (no second dev server on the same state) and the run is
    // recorded by its API, under the pipeline of the spec's name.
    const temporalServers = () => devServersOf(home);
    expect(temporalServers()).toHaveLength(1);
    let serversDuringRun = 0;
    const cliRun = await kiln(['run', resolve(import.meta.dirname, '../../examples/diamond/diamond.ts'), '--param', 'msg=echo beside-up'], {
      env: { KILN_HOME: home, TEMPORAL_CLI: inject('temporalCli') },
      onStdout: (text) => {
        if (text.includes(' started (')) serversDuringRun = Math.max(serversDuringRun, temporalServers().length);
      },
    });
    expect(cliRun.code, cliRun.stderr).toBe(0);
    expect(cliRun.stdout).toContain('using the Temporal of kiln up');
    expect(cliRun.stdout).not.toContain('starting the embedded Temporal');
    expect(serversDuringRun).toBe(1);
    const cliRunId = /run (diamond-\S+) succeeded/.exec(cliRun.stdout)![1]!;
    let listed: { id: string; trigger: string; status: string; pipelineId: string }[] = [];
    for (let i = 0; i < 50 && !listed.some((r) => r.id === cliRunId && r.status === 'succeeded'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = (await (await fetch(`${url}/api/v1/runs`, { headers: H })).json()) as typeof listed;
    }
    expect(listed.find((r) => r.id === cliRunId)).toMatchObject({ trigger: 'cli', status: 'succeeded', pipelineId: id });

    // Its own workers reach the API (a service token made for this start): train, deploy, serve.
    const examples = resolve(import.meta.dirname, '../../examples');
    const loop = JSON.parse(readFileSync(resolve(examples, 'retrain-loop/churn-deploy.json'), 'utf8'));
    const deployId = ((await (await fetch(`${url}/api/v1/pipelines`, { method: 'POST', headers: H, body: JSON.stringify({ spec: loop }) })).json()) as { id: string }).id;
    const params = { data: resolve(examples, 'churn/churn.csv'), observeSeconds: 0 };
    const started = (await (await fetch(`${url}/api/v1/pipelines/${deployId}/runs`, { method: 'POST', headers: H, body: JSON.stringify({ params }) })).json()) as { runId: string };
    let run = { status: 'running', error: null as unknown };
    for (let i = 0; i < 300 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 300));
      run = (await (await fetch(`${url}/api/v1/runs/${started.runId}`, { headers: H })).json()) as typeof run;
    }
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const instance = { tenure_months: 3, monthly_charges: 80.5, total_charges: 241.5, contract: 'month-to-month', payment_method: 'electronic-check', internet_service: 'fiber', support_calls: 4, senior_citizen: 0 };
    const predicted = await fetch(`${url}/api/v1/deployments/churn/predict`, { method: 'POST', headers: H, body: JSON.stringify({ instances: [instance] }) });
    expect(predicted.status).toBe(200);
    expect(await predicted.json()).toMatchObject({ modelVersion: 1, predictions: [expect.any(Number)] });
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(out).toContain('stopping…');
}, 240_000);

/** The Temporal dev servers running on this state folder's database. */
function devServersOf(home: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('start-dev') && cmdline.includes(`${home}/temporal.db`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
