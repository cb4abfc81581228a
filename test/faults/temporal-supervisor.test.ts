import { type Server, createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { expect, it } from 'vitest';
import { superviseDevServer } from '@kiln/engine/temporal';
import { eventually } from '../support/api-process';
import { waitGone } from '../support/processes';

/** Listens on `port` as soon as it is free (tried every 5 ms for 2 s). */
async function takePort(port: number): Promise<Server> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      return server;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

it('restarts a dead Temporal dev server on the same address, and gives up (once) on one that cannot start again', async () => {
  const lines: string[] = [];
  const gaveUp: Error[] = [];
  const supervised = await superviseDevServer({
    log: (l) => lines.push(l),
    initialBackoffMs: 100,
    maxFastFailures: 3,
    onGiveUp: (e) => gaveUp.push(e),
  });
  try {
    const first = supervised.current()!;
    process.kill(first.pid, 'SIGKILL');
    expect(await waitGone(first.pid)).toBe(true);
    await eventually(async () => supervised.restarts() === 1, 60_000, `a restart: ${lines.join('\n')}`);
    const second = supervised.current()!;
    expect(second.pid).not.toBe(first.pid);
    expect(second.address).toBe(supervised.address);
    const connection = await Connection.connect({ address: supervised.address });
    await connection.workflowService.getSystemInfo({});
    await connection.close();
    expect(lines[0]).toMatch(/stopped \(killed by SIGKILL\) after \d+ s; restarting it in 0\.1 s/);

    // Its port taken by something else (bound while the supervisor waits out its backoff): every
    // start fails fast, and after 3 failures in a row it gives up.
    process.kill(second.pid, 'SIGKILL');
    const squatter = await takePort(Number(supervised.address.split(':')[1]));
    try {
      const noGiveUp = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no give-up: ${lines.join('\n')}`)), 60_000),
      );
      const reason = await Promise.race([supervised.done, noGiveUp]);
      expect(reason?.message).toMatch(/did not start again.*giving up after 3 failures in a row/s);
      expect(gaveUp).toEqual([reason]);
      expect(supervised.restarts()).toBe(1);
    } finally {
      squatter.close();
    }
  } finally {
    await supervised.stop();
  }
}, 120_000);
