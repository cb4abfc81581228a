import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, inject, it } from 'vitest';
import { freePort } from '@kiln/engine/temporal';
import { tempDir } from '../support/harness';
import { KILN_BIN } from '../support/kiln-process';

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
