// The baseline: hand-written Temporal workflows of the same shapes as the Kiln pipelines, calling an
// equivalent no-op activity directly.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ taskQueue: 'raw-cpu', startToCloseTimeout: '1 minute' });

export async function rawChain(length: number): Promise<void> {
  for (let i = 0; i < length; i++) await noop();
}

export async function rawFanOut(width: number): Promise<void> {
  await Promise.all(Array.from({ length: width }, () => noop()));
}
