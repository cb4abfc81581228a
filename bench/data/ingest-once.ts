// One timed Kiln ingest of a CSV file, in its own process (so every round starts cold, like the
// Python readers' rounds): prints {"seconds", "cpuSeconds" (all threads), "rowCount", "columns", "threadRegions"} as JSON.
// Used by csv-ingest.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderArtifactStore } from '@kiln/artifacts';
import { csvThreadWork, ingestCsvToDataset, startCsvThreads } from '@kiln/tabular';

const [csv, threads] = process.argv.slice(2);
// The parse thread loads its code first, as a Kiln worker process does when it starts (and as the
// Python readers' imports are not timed either).
await startCsvThreads();
const storeDir = mkdtempSync(join(tmpdir(), 'kiln-bench-store-'));
try {
  const store = new FolderArtifactStore(storeDir, { fsync: false });
  const cpu = process.cpuUsage();
  const t = performance.now();
  const ref = await ingestCsvToDataset(store, csv!, threads ? { threads: Number(threads) } : {});
  const seconds = (performance.now() - t) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  console.log(JSON.stringify({ seconds, cpuSeconds: (user + system) / 1e6, rowCount: ref.rowCount, columns: ref.schema.length, threadRegions: csvThreadWork().regions }));
} finally {
  rmSync(storeDir, { recursive: true, force: true });
}
