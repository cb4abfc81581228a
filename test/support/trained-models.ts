// Real ONNX models for the serving tests and bench/serve (`@kiln/test/support/trained-models`, never imported by src nor
// built): trained in process by the node types a pipeline runs (ingest.file → featurize.tabular → train.gbdt),
// on the churn example or a small CSV.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { featurizeTabular as featurizeType, ingestFile as ingestType, trainGbdt as trainType, type NodeContext } from '@kiln/nodes';
import { readDataset, type DatasetRef } from '@kiln/tabular';
import { FolderArtifactStore } from '@kiln/artifacts';
import type { ModelSignature } from '@kiln/serving/signature';

export const CHURN_CSV = fileURLToPath(new URL('../../examples/churn/churn.csv', import.meta.url));

/** A trained model: its ONNX bytes, its signature and the raw rows of its test split as JSON instances. */
export interface TrainedModel {
  onnx: Uint8Array;
  signature: ModelSignature;
  /** Test-split rows, one object per row with every feature column (null where the value is missing). */
  instances: Record<string, string | number | boolean | null>[];
}

export interface TrainOptions {
  /** ingest.file params besides `uri`. */
  ingest?: Record<string, unknown>;
  /** featurize.tabular params (`target` is required). */
  featurize: { target: string } & Record<string, unknown>;
  /** train.gbdt params. */
  train?: Record<string, unknown>;
}

/** ingest → featurize → train.gbdt on a CSV file, in a throw-away artifact folder. */
export async function trainGbdtModel(csvPath: string, o: TrainOptions): Promise<TrainedModel> {
  const root = mkdtempSync(join(tmpdir(), 'kiln-serving-model-'));
  try {
    const store = new FolderArtifactStore(join(root, 'artifacts'));
    const ctx = {
      runId: 'serving-test',
      pipeline: 'serving-test',
      nodeId: 'n',
      attempt: 1,
      queue: 'cpu',
      signal: new AbortController().signal,
      progress: () => {},
      log: { info: () => {}, warn: () => {}, output: () => {} },
      store,
      scratchDir: async () => mkdtempSync(join(root, 'scratch-')),
      api: () => {
        throw new Error('the Kiln API is not available while training a serving test model');
      },
      userCode: {},
      keepCores: () => {},
    } as NodeContext;
    const [ingestFile, featurizeTabular, trainGbdt] = await Promise.all([ingestType.load(), featurizeType.load(), trainType.load()]);
    const ingested = await ingestFile.run(ctx, {}, ingestFile.params.parse({ uri: csvPath, ...o.ingest }));
    const f = await featurizeTabular.run(
      ctx,
      { dataset: ingested.outputs.dataset },
      featurizeTabular.params.parse(o.featurize),
    );
    const t = await trainGbdt.run(
      ctx,
      { train: f.outputs.train, transform: f.outputs.transform },
      trainGbdt.params.parse(o.train ?? {}),
    );
    const model = t.outputs.model as { artifact: { digest: string } } & ModelSignature;
    const test = f.outputs.test as DatasetRef;
    const table = await readDataset(store, test);
    const instances: TrainedModel['instances'] = [];
    for (let i = 0; i < table.numRows; i++) {
      const row: TrainedModel['instances'][number] = {};
      for (const feature of model.features) {
        const v = table.getChild(feature.name)?.get(i) as unknown;
        row[feature.name] =
          v === null || v === undefined
            ? null
            : typeof v === 'bigint'
              ? Number(v)
              : (v as string | number | boolean);
      }
      instances.push(row);
    }
    return {
      onnx: await store.get(model.artifact.digest),
      signature: { task: model.task, features: model.features, classes: model.classes },
      instances,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The churn example's GBDT (binary, classes [0, 1]), with the example pipeline's params. */
export function trainChurnModel(): Promise<TrainedModel> {
  return trainGbdtModel(CHURN_CSV, {
    ingest: { format: 'csv', types: { churned: 'int', senior_citizen: 'int' } },
    featurize: {
      target: 'churned',
      task: 'binary',
      drop: ['customer_id'],
      impute: 'median',
      scale: 'standard',
      encoding: 'onehot',
      seed: 7,
    },
    train: {
      numIterations: 400,
      learningRate: 0.05,
      maxLeaves: 15,
      minDataInLeaf: 20,
      earlyStoppingRounds: 30,
      seed: 1,
    },
  });
}

/** A small CSV written to a temp file (removed by the caller's process exit; tiny). */
export function csvFile(header: string, n: number, row: (i: number) => string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kiln-serving-csv-')), 'd.csv');
  writeFileSync(path, `${header}\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`);
  return path;
}
