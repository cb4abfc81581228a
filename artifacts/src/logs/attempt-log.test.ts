import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logGaps } from '@kiln/engine';
import { FolderArtifactStore } from '../folder-store';
import { checkObjectKey } from '../named-objects';
import { AttemptLog } from './attempt-log';
import { attemptLogKey, keyPart, parseAttemptName } from './log-location';
import { logAttempts, readAttemptLog } from './log-reader';

const store = () => new FolderArtifactStore(mkdtempSync(join(tmpdir(), 'kiln-log-test-')));
const where = { runId: 'run-1', nodeId: 'train', attempt: 1 };

describe('AttemptLog', () => {
  it('splits output into lines per stream, is readable live, and ends as one artifact', async () => {
    const s = store();
    const log = new AttemptLog(s, where, { headBytes: 1 << 20, tailBytes: 1 << 20, lineChars: 100, flushMs: 60_000 });
    log.start();
    log.output('stdout', Buffer.from('one\ntw'));
    log.output('stderr', Buffer.from('err ✓'.slice(0, 4)));
    log.output('stdout', Buffer.from('o\r\n'));
    log.logger.info('read 3 rows');
    await log.flush();
    expect(await logAttempts(s, 'run-1', 'train')).toEqual([{ attempt: 1 }]);
    const live = await readAttemptLog(s, where);
    expect(live.end).toBeUndefined();
    expect(live.lines.map((l) => [l.n, l.s, l.m])).toEqual([
      [1, 'stdout', 'one'],
      [2, 'stdout', 'two'],
      [3, 'info', 'read 3 rows'],
    ]);
    // A multi-byte character split across chunks arrives whole.
    log.output('stderr', Buffer.from('✓ done').subarray(0, 2));
    log.output('stderr', Buffer.from('✓ done').subarray(2));
    await log.flush();
    expect((await readAttemptLog(s, where, 3)).lines.map((l) => l.m)).toEqual([]);
    const end = await log.finish('failed');
    expect(end).toMatchObject({ lines: 4, droppedLines: 0, outcome: 'failed' });
    const final = await readAttemptLog(s, where);
    expect(final.end).toEqual(end);
    expect(final.lines.map((l) => [l.s, l.m])).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['info', 'read 3 rows'],
      ['stderr', 'err ✓ done'],
    ]);
    expect(await s.has(end!.digest)).toBe(true);
    // The live segments are gone once the artifact is written.
    expect((await s.objects.list(attemptLogKey('run-1', 'train', where))).filter((n) => n.startsWith('seg-'))).toEqual([]);
  });

  it('leaves no log for an attempt that wrote no line, and one for an attempt that wrote only a partial line', async () => {
    const s = store();
    const silent = new AttemptLog(s, where);
    silent.start();
    expect(await silent.finish('succeeded')).toBeUndefined();
    expect(await logAttempts(s, 'run-1', 'train')).toEqual([]);
    expect(await s.objects.list(attemptLogKey('run-1', 'train', where))).toEqual([]);

    const partial = new AttemptLog(s, { ...where, attempt: 2 });
    partial.start();
    partial.output('stdout', Buffer.from('no line feed'));
    expect(await partial.finish('succeeded')).toMatchObject({ lines: 1 });
    expect((await readAttemptLog(s, { ...where, attempt: 2 })).lines.map((l) => l.m)).toEqual(['no line feed']);
  });

  it('keeps head and tail within the cap, counts what it dropped, and prunes live segments', async () => {
    const s = store();
    const limits = { headBytes: 10 * 70, tailBytes: 20 * 70, lineChars: 50, flushMs: 60_000 };
    const log = new AttemptLog(s, where, limits);
    log.start();
    for (let i = 1; i <= 1000; i++) {
      log.logger.info(`line ${i}`);
      if (i % 50 === 0) await log.flush();
    }
    log.logger.info('x'.repeat(80));
    const live = await readAttemptLog(s, where);
    // Head segments stay; older segments past the head were pruned: the reader sees the gap.
    expect(live.lines[0]!.m).toBe('line 1');
    expect(logGaps(live.lines).length).toBeGreaterThan(0);
    const end = (await log.finish('succeeded'))!;
    const { lines } = await readAttemptLog(s, where);
    expect(end.lines).toBe(1001);
    expect(end.droppedLines).toBe(1001 - lines.length);
    expect(end.droppedBytes).toBeGreaterThan(0);
    expect(lines.slice(0, 3).map((l) => l.m)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(lines.at(-1)!.m).toBe(`${'x'.repeat(50)}…`);
    expect(lines.at(-2)!.m).toBe('line 1000');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(logGaps(lines)).toEqual([{ after: lines.findIndex((l, i) => l.n !== i + 1), count: end.droppedLines }]);
  });

  it('reads only lines after a number (a follower), across segments', async () => {
    const s = store();
    const log = new AttemptLog(s, where, { headBytes: 1 << 20, tailBytes: 1 << 20, lineChars: 100, flushMs: 60_000 });
    log.start();
    for (let i = 1; i <= 9; i++) {
      log.logger.info(`l${i}`);
      if (i % 3 === 0) await log.flush();
    }
    expect((await readAttemptLog(s, where, 5)).lines.map((l) => l.n)).toEqual([6, 7, 8, 9]);
    await log.finish('succeeded');
    expect((await readAttemptLog(s, where, 8)).lines.map((l) => l.n)).toEqual([9]);
  });
});

describe('log keys stay inside the run', () => {
  it('encodes ids so no key can climb out', () => {
    for (const id of ['..', '.', '../../etc', 'a/b', '%2e%2e', 'x'.repeat(300), '', 'ü']) {
      const part = keyPart(id);
      expect(part).toMatch(/^[A-Za-z0-9_%-]+$/);
      expect(() => checkObjectKey(`logs/${part}/n/a1`)).not.toThrow();
    }
    expect(keyPart('..')).toBe('%2E%2E');
    expect(keyPart('a/b')).not.toBe(keyPart('a%2Fb'));
    expect(() => checkObjectKey('logs/../sha256')).toThrow();
    expect(() => checkObjectKey('logs//x')).toThrow();
    expect(parseAttemptName('a2')).toEqual({ attempt: 2 });
    expect(parseAttemptName('i3-a1')).toEqual({ attempt: 1, item: 3 });
    expect(parseAttemptName('a0')).toBeUndefined();
    expect(parseAttemptName('../a1')).toBeUndefined();
  });
});
