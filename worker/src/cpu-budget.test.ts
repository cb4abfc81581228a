import { describe, expect, it } from 'vitest';
import { CpuBudget } from './cpu-budget';

const never = new AbortController().signal;
const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('CpuBudget', () => {
  it('grants while requests fit and holds the rest until cores are released', async () => {
    const budget = new CpuBudget(4);
    const a = await budget.acquire(2, never);
    const b = await budget.acquire(2, never);
    expect(budget.inUse).toBe(4);
    let waited: number | undefined;
    const c = budget.acquire(1, never, (inUse) => (waited = inUse));
    expect(await settled(c)).toBe(false);
    expect(waited).toBe(4);
    a.release();
    a.release(); // twice changes nothing
    expect((await c).cores).toBe(1);
    expect(budget.inUse).toBe(3);
    b.release();
    (await c).release();
    expect(budget.inUse).toBe(0);
  });

  it('counts a request larger than the budget as all of it', async () => {
    const budget = new CpuBudget(2);
    const big = await budget.acquire(16, never);
    expect(big.cores).toBe(2);
    expect(await settled(budget.acquire(0.5, never))).toBe(false);
  });

  it('serves the line in order: small requests do not overtake a large one at its head', async () => {
    const budget = new CpuBudget(4);
    const first = await budget.acquire(3, never);
    const order: string[] = [];
    const large = budget.acquire(4, never).then((g) => (order.push('large'), g));
    const small = budget.acquire(1, never).then((g) => (order.push('small'), g));
    expect(await settled(small)).toBe(false); // 1 core is free, but the large request came first
    first.release();
    (await large).release();
    await small;
    expect(order).toEqual(['large', 'small']);
  });

  it('drops an aborted request from the line and lets those behind it go', async () => {
    const budget = new CpuBudget(2);
    const held = await budget.acquire(1, never);
    const abort = new AbortController();
    const large = budget.acquire(2, abort.signal);
    const small = budget.acquire(1, never);
    expect(await settled(small)).toBe(false);
    abort.abort(new Error('cancelled'));
    await expect(large).rejects.toThrow('cancelled');
    expect((await small).cores).toBe(1);
    expect(budget.inUse).toBe(2);
    held.release();
  });

  it('takes back the cores a node says it will not use, and lets waiting requests have them', async () => {
    const budget = new CpuBudget(4);
    const trainer = await budget.acquire(4, never);
    const next = budget.acquire(2, never);
    expect(await settled(next)).toBe(false);
    trainer.keep(1);
    trainer.keep(3); // never grows back
    expect(trainer.cores).toBe(1);
    expect((await next).cores).toBe(2);
    expect(budget.inUse).toBe(3);
    trainer.release();
    expect(budget.inUse).toBe(2);
  });

  it('refuses a budget that is not positive', () => {
    expect(() => new CpuBudget(0)).toThrow(/positive/);
  });
});
