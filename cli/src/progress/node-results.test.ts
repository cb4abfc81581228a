import { describe, expect, it } from 'vitest';
import { nodeResult, number } from './node-results';
import { summaryTable } from './summary-table';
import { progressLine } from './progress-lines';

const ok = (outputs: Record<string, unknown>) => ({ status: 'succeeded' as const, attempts: 1, outputs });

describe('node results', () => {
  it('reads outputs by port type: datasets, metrics, models, gate decisions, approvals, command output', () => {
    const dataset = { artifact: { digest: 'sha256:x', size: 10 }, schema: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], rowCount: 45927, stats: [] };
    expect(nodeResult(ok({ dataset }), { outputs: { dataset: 'Dataset' } }).summary).toBe('45,927 rows × 3 columns');
    const metrics = { task: 'binary', values: { roc_auc: 0.91234, accuracy: 0.8712, f1: 0.5, log_loss: 0.000123, rows: 1000 }, report: {} };
    expect(nodeResult(ok({ metrics, report: { artifact: {} } }), { outputs: { metrics: 'Metrics', report: 'Report' } }).summary).toBe(
      'roc_auc 0.9123, accuracy 0.8712, f1 0.5, log_loss 1.23e-4',
    );
    const model = { artifact: { size: 123_456 } };
    expect(nodeResult(ok({ model, metrics: { values: { best_iteration: 120 } } }), { outputs: { model: 'Model', metrics: 'Metrics' } }).summary).toBe(
      'model 120.6 KiB; best_iteration 120',
    );
    const failedGate = { passed: false, checks: [{ passed: true, message: 'accuracy 0.9 >= 0.8' }, { passed: false, message: 'roc_auc 0.61 >= 0.7' }] };
    expect(nodeResult(ok({ decision: failedGate }), { outputs: { decision: 'Json' } }).summary).toBe('failed: roc_auc 0.61 >= 0.7');
    expect(nodeResult(ok({ decision: { passed: true, checks: [{ passed: true }] } }), { outputs: { decision: 'Json' } }).summary).toBe('passed (1 rule)');
    expect(nodeResult(ok({ decision: { decision: 'approved', by: 'ana', comment: 'fine' } }), { outputs: { decision: 'Json' } }).summary).toBe(
      'approved by ana: fine',
    );
    const command = nodeResult(ok({ exitCode: 0, stdout: 'one\ntwo\n\nthree\nfour\n' }), { outputs: { exitCode: 'Json', stdout: 'Json' } });
    expect(command).toEqual({ summary: 'exitCode 0', tail: ['two', 'three', 'four'] });
    expect(nodeResult({ status: 'skipped', attempts: 0, reason: 'upstream node "a" failed' }, undefined).summary).toBe('upstream node "a" failed');
    expect(nodeResult(ok({ train: dataset, test: { ...dataset, rowCount: 10 } }), { outputs: { train: 'Dataset', test: 'Dataset' } }).summary).toBe(
      'train: 45,927 rows × 3 columns; test: 10 rows × 3 columns',
    );
    expect(number(45927)).toBe('45,927');
    expect(number(0.123456)).toBe('0.1235');
  });

  it('adds the result to the progress line, and the command output under it', () => {
    const at = new Date('2026-01-01T12:00:03');
    const state = { ...ok({ stdout: 'hello\n' }), startedAt: '2026-01-01T12:00:00.000Z', endedAt: '2026-01-01T12:00:00.300Z' };
    expect(progressLine('b', state, at, { summary: '', tail: ['hello'] }, 80)).toBe('12:00:03 ✔ b succeeded in 300 ms\n         │ hello');
    expect(progressLine('i', state, at, { summary: '1,000 rows × 9 columns', tail: [] }, 80)).toBe(
      '12:00:03 ✔ i succeeded in 300 ms — 1,000 rows × 9 columns',
    );
    // A narrow terminal: the result is cut, not wrapped.
    expect(progressLine('i', state, at, { summary: 'roc_auc 0.9123, accuracy 0.8712, f1 0.5', tail: [] }, 50)).toBe(
      '12:00:03 ✔ i succeeded in 300 ms — roc_auc 0.9123…',
    );
  });

  it('prints a summary table that fits the terminal, without colour unless asked', () => {
    const run = {
      runId: 'r',
      pipeline: 'p',
      generations: 1,
      status: 'failed' as const,
      startedAt: '2026-01-01T12:00:00.000Z',
      nodes: {
        ingest: { status: 'succeeded' as const, attempts: 1, startedAt: '2026-01-01T12:00:00.000Z', endedAt: '2026-01-01T12:00:01.500Z' },
        a_node_with_a_rather_long_identifier: { status: 'failed' as const, attempts: 3, error: { message: 'command exited with code 1', type: 'CommandFailed' } },
      },
    };
    const results = (id: string) => ({ summary: id === 'ingest' ? '45,927 rows × 9 columns' : 'command exited with code 1', tail: [] });
    const lines = summaryTable(run, results, 90, false);
    expect(lines).toEqual([
      'node                      status     tries      time  result',
      'ingest                    succeeded      1     1.5 s  45,927 rows × 9 columns',
      'a_node_with_a_rather_lo…  failed         3            command exited with code 1',
    ]);
    expect(summaryTable(run, results, 90, true)[1]).toContain('\x1b[32msucceeded\x1b[39m');
  });
});
