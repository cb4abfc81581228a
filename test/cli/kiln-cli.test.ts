import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { type Harness, cmd, openHarness, spec, tempDir } from '../support/harness';
import { childrenOf, kiln } from '../support/kiln-process';
import { waitGone } from '../support/processes';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

/** The command's children once the node's shell runs beside the dev server: what must not outlive it. */
async function whenShellRuns(pid: number): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    const children = childrenOf(pid);
    if (children.length >= 2) return children;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`kiln run (pid ${pid}) never had its dev server and the node's shell running`);
}

/**
 * An `onStdout` that presses Ctrl-C once node "long" runs and the command's children are up
 * (`children`: what must not outlive it); `onSent` is called as it presses.
 */
function ctrlCWhenLongRuns(onSent: () => void = () => {}) {
  const state = { seen: false, children: [] as number[] };
  const onStdout = (text: string, kill: (s: NodeJS.Signals) => void, pid: number) => {
    if (state.seen || !text.includes('long running')) return;
    state.seen = true;
    void whenShellRuns(pid).then((found) => {
      state.children = found;
      onSent();
      kill('SIGINT');
    });
  };
  return { state, onStdout };
}

function specFile(value: unknown): string {
  const file = join(tempDir(), 'pipeline.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('kiln validate', () => {
  it('accepts the example in both forms and reports the same hash', async () => {
    const json = await kiln(['validate', join(EXAMPLES, 'diamond/diamond.json')]);
    const ts = await kiln(['validate', join(EXAMPLES, 'diamond/diamond.ts')]);
    expect(json.code).toBe(0);
    expect(ts.code).toBe(0);
    const hash = (out: string) => out.match(/sha256:[0-9a-f]{64}/)![0];
    expect(hash(ts.stdout)).toBe(hash(json.stdout));
  });

  it('prints every problem with its path and exits 2', async () => {
    const file = specFile(
      spec('broken', [cmd('a', 'true'), { id: 'a', type: 'core.nope' }, { id: 'b', type: 'core.command', params: {} }], [
        { from: 'b', to: 'zz' },
      ]),
    );
    const result = await kiln(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('3 problems');
    expect(result.stderr).toContain('nodes[1].id: node id "a" is already used by nodes[0]');
    expect(result.stderr).toContain('nodes[2].params.command: node "b": param "command": ');
    expect(result.stderr).toContain('edges[0].to: no node "zz" in this pipeline');
  });

  it('names the file when it is missing or not JSON', async () => {
    const missing = await kiln(['validate', '/nonexistent/p.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/p.json: ENOENT');
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, '{"apiVersion": ');
    const garbled = await kiln(['validate', bad]);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain(`${bad} is not valid JSON`);
  });
});

describe('kiln run', () => {
  it('starts an embedded Temporal, runs the example and prints the --json summary', async () => {
    const result = await kiln(['run', join(EXAMPLES, 'diamond/diamond.ts'), '--json', '--param', 'msg=echo from-cli'], {
      env: { KILN_HOME: tempDir(), TEMPORAL_CLI: inject('temporalCli') },
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary).sort()).toEqual(['endedAt', 'nodes', 'pipeline', 'rerunOf', 'runId', 'startedAt', 'status']);
    expect(summary).toMatchObject({ rerunOf: null, pipeline: 'diamond', status: 'succeeded' });
    expect(Object.keys(summary.nodes)).toEqual(['a', 'b', 'c', 'd']);
    expect(Object.keys(summary.nodes.b).sort()).toEqual(['attempts', 'cachedFrom', 'endedAt', 'error', 'outputs', 'startedAt', 'status']);
    expect(summary.nodes.b).toMatchObject({ status: 'succeeded', attempts: 1, error: null, cachedFrom: null, outputs: { stdout: 'from-cli\n' } });
    // Progress goes to stderr under --json, with each node's result: b's command output under its line,
    // and the summary table.
    expect(result.stderr).toMatch(/✔ d succeeded/);
    expect(result.stderr).toMatch(/✔ b succeeded in [\d.]+ m?s — exitCode 0\n\s+│ from-cli\n/);
    expect(result.stderr).toMatch(/^node\s+status\s+tries\s+time\s+result$/m);
    expect(result.stderr).toMatch(/^b\s+succeeded\s+1\s+[\d.]+ m?s\s+from-cli$/m);
  });

  it('exits 1 with the failure in the summary, and shows progress lines', async () => {
    const file = specFile(spec('fails', [cmd('ok', 'true'), cmd('bad', 'echo nope >&2; exit 9')], [{ from: 'ok', to: 'bad' }]));
    const result = await kiln(['run', file, '--temporal-address', h.address]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✔ ok succeeded/);
    expect(result.stdout).toMatch(/✘ bad failed in [\d.]+ m?s: command exited with code 9: nope/);
    expect(result.stdout).toMatch(/run fails-[0-9a-f-]+ failed/);
    // The summary table: one row per node, plain text when stdout is not a terminal.
    expect(result.stdout).toMatch(/^ok\s+succeeded\s+1\s+[\d.]+ m?s\s+exitCode 0$/m);
    expect(result.stdout).toMatch(/^bad\s+failed\s+1\s+[\d.]+ m?s\s+command exited with code 9: nope$/m);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('exits 2 for an invalid spec or bad params, without starting anything', async () => {
    const invalid = await kiln(['run', specFile({ apiVersion: 'kiln/v2', name: 'x', nodes: [] }), '--temporal-address', '127.0.0.1:1']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('apiVersion');
    const example = join(EXAMPLES, 'diamond/diamond.json');
    const unknown = await kiln(['run', example, '--param', 'nope=1', '--temporal-address', '127.0.0.1:1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('params.nope: the pipeline has no run parameter "nope" (declared: msg)');
    const shape = await kiln(['run', example, '--param', 'msg', '--temporal-address', '127.0.0.1:1']);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('--param msg: expected name=value');
  });

  it('Ctrl-C cancels the run and exits 130', async () => {
    const file = specFile(spec('interrupt', [cmd('long', 'sleep 60')]));
    let sent = false;
    const interrupted = await kiln(['run', file, '--temporal-address', h.address], {
      onStdout: (text, kill) => {
        if (!sent && text.includes('long running')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain('cancelling the run');
    expect(interrupted.stdout).toMatch(/■ long cancelled/);
    expect(interrupted.stdout).toMatch(/run interrupt-[0-9a-f-]+ cancelled/);
  });

  it('Ctrl-C on the embedded Temporal: the run cancelled within 5 s, exit 130, nothing left running', async () => {
    const file = specFile(spec('interrupt-embedded', [cmd('long', 'sleep 60')]));
    let sentAt = 0;
    let cancelledAfter = Infinity;
    const ctrlC = ctrlCWhenLongRuns(() => (sentAt = Date.now()));
    const result = await kiln(['run', file], {
      env: { KILN_HOME: tempDir(), TEMPORAL_CLI: inject('temporalCli') },
      onStdout: (text, kill, pid) => {
        ctrlC.onStdout(text, kill, pid);
        if (sentAt && cancelledAfter === Infinity && /run interrupt-embedded-\S+ cancelled/.test(text)) cancelledAfter = Date.now() - sentAt;
      },
    });
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).toMatch(/■ long cancelled/);
    // The bound, with the margin of a loaded machine kept out of it: the cancelled line.
    expect(cancelledAfter).toBeLessThan(5000);
    expect(ctrlC.state.children.length).toBeGreaterThanOrEqual(2);
    for (const pid of ctrlC.state.children) expect(await waitGone(pid, 2000), `process ${pid} outlived kiln run`).toBe(true);
  });

  it('a second Ctrl-C stops at once and still leaves no Temporal dev server or command behind', async () => {
    // The command takes 3 s to stop after SIGTERM, so the run is still being cancelled when the
    // second Ctrl-C comes. That Ctrl-C is sent once the first has been acted on: two signals sent
    // back to back may reach the process as one.
    const file = specFile(spec('interrupt-twice', [cmd('long', "trap 'sleep 3' TERM; sleep 60 & wait")]));
    const ctrlC = ctrlCWhenLongRuns();
    let again = false;
    const result = await kiln(['run', file], {
      env: { KILN_HOME: tempDir(), TEMPORAL_CLI: inject('temporalCli') },
      onStdout: (text, kill, pid) => {
        ctrlC.onStdout(text, kill, pid);
        if (ctrlC.state.seen && !again && text.includes('cancelling the run')) {
          again = true;
          kill('SIGINT');
        }
      },
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('stopping now');
    expect(ctrlC.state.children.length).toBeGreaterThanOrEqual(2);
    for (const pid of ctrlC.state.children) expect(await waitGone(pid, 2000), `process ${pid} outlived kiln run`).toBe(true);
  });
});
