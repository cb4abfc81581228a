// A NodeContext for unit tests: a folder store in a temp folder, recorded progress and log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext } from '../define-node';
import { noApi } from '../platform/kiln-api';
import { FolderArtifactStore } from '@kiln/artifacts/folder-store';

export function testContext(
  overrides: Partial<NodeContext> = {},
): NodeContext & { progressLog: Record<string, unknown>[]; logLines: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'kiln-node-test-'));
  const progressLog: Record<string, unknown>[] = [];
  const logLines: string[] = [];
  let scratch: Promise<string> | undefined;
  return {
    runId: 'run-1',
    pipeline: 'test',
    nodeId: 'n',
    attempt: 1,
    queue: 'cpu',
    signal: new AbortController().signal,
    progress: (d) => progressLog.push(d),
    log: {
      info: (m) => logLines.push(`info: ${m}`),
      warn: (m) => logLines.push(`warn: ${m}`),
      output: (s, chunk) => logLines.push(`${s}: ${Buffer.from(chunk).toString('utf8')}`),
    },
    store: new FolderArtifactStore(join(root, 'artifacts')),
    scratchDir: () => (scratch ??= mkdtemp(join(root, 'scratch-'))),
    api: () => {
      throw noApi('a test node');
    },
    userCode: {},
    keepCores: () => {},
    progressLog,
    logLines,
    ...overrides,
  };
}

/** Writes `text` to a file in a fresh temp folder and returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kiln-node-data-')), name);
  writeFileSync(path, text);
  return path;
}
