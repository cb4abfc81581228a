import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateSpec } from '../spec/validate';
import { testCatalog } from '../spec/test-catalog';
import { type NodeTypeDecl, pipeline } from './pipeline-builder';

// Typed declarations matching the test catalog's node types.
const ingestFile = {
  type: 'ingest.file',
  version: 1,
  inputs: {},
  outputs: { dataset: 'Dataset' },
  params: z.strictObject({ uri: z.string(), limit: z.int().optional() }),
} as const satisfies NodeTypeDecl;
const validateTabular = {
  type: 'validate.tabular',
  version: 1,
  inputs: { dataset: 'Dataset', reference: { type: 'Dataset', optional: true } },
  outputs: { dataset: 'Dataset', report: 'Report' },
  params: z.strictObject({}),
} as const satisfies NodeTypeDecl;
const trainGbdt = {
  type: 'train.gbdt',
  version: 1,
  inputs: { train: 'Dataset' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params: z.strictObject({ trees: z.int().default(100) }),
} as const satisfies NodeTypeDecl;
const evaluateModel = {
  type: 'evaluate.model',
  version: 1,
  inputs: { model: 'Model', dataset: 'Dataset' },
  outputs: { metrics: 'Metrics' },
  params: z.strictObject({}),
} as const satisfies NodeTypeDecl;

describe('the authoring API', () => {
  it('builds a spec that reads like the pipeline and validates', () => {
    const p = pipeline('churn', { params: { data: { type: 'string', default: 'churn.csv' } }, maxParallel: 4 });
    const ingest = p.node('ingest', ingestFile, { params: { uri: p.param('data') } });
    const checked = p.node('validate', validateTabular, { inputs: { dataset: ingest.out.dataset } });
    const train = p.node('train', trainGbdt, { inputs: { train: checked.out.dataset }, params: { trees: 50 }, resources: { gpu: 1 } });
    p.node('evaluate', evaluateModel, { inputs: { model: train.out.model, dataset: checked.out.dataset }, retry: { maxAttempts: 2 } });
    const spec = p.toSpec();
    expect(spec).toEqual({
      apiVersion: 'kiln/v1',
      name: 'churn',
      params: { type: 'object', properties: { data: { type: 'string', default: 'churn.csv' } } },
      maxParallel: 4,
      nodes: [
        { id: 'ingest', type: 'ingest.file', params: { uri: { $param: 'data' } } },
        { id: 'validate', type: 'validate.tabular' },
        { id: 'train', type: 'train.gbdt', params: { trees: 50 }, resources: { gpu: 1 } },
        { id: 'evaluate', type: 'evaluate.model', retry: { maxAttempts: 2 } },
      ],
      edges: [
        { from: 'ingest.dataset', to: 'validate.dataset' },
        { from: 'validate.dataset', to: 'train.train' },
        { from: 'train.model', to: 'evaluate.model' },
        { from: 'validate.dataset', to: 'evaluate.dataset' },
      ],
    });
    expect(validateSpec(spec, testCatalog).problems).toEqual([]);
  });

  it('makes wrong ports, mismatched port types and undeclared params compile errors', () => {
    const p = pipeline('typed', { params: { data: { type: 'string' } } });
    const ingest = p.node('ingest', ingestFile, { params: { uri: 'x' } });
    const train = p.node('train', trainGbdt, { inputs: { train: ingest.out.dataset } });
    // The lines below are checked by `tsc` (npm run typecheck): each must be an error.
    // @ts-expect-error a port that does not exist
    void ingest.out.datset;
    // @ts-expect-error a Model fed into a Dataset input
    p.node('bad1', validateTabular, { inputs: { dataset: train.out.model } });
    // @ts-expect-error a required input left out (also refused at run time, for JavaScript callers)
    expect(() => p.node('bad2', evaluateModel, { inputs: { model: train.out.model } })).toThrow(
      'node "bad2": input "dataset" of evaluate.model is required',
    );
    // @ts-expect-error a run parameter that is not declared
    p.param('nope');
    // @ts-expect-error a param of the wrong type
    p.node('bad3', ingestFile, { params: { uri: 42 } });
    expect(() => p.node('ingest', ingestFile, { params: { uri: 'again' } })).toThrow('node id "ingest" is used twice');
  });
});
