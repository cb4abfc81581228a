import { describe, expect, it } from 'vitest';
import deployModel from './deploy/model.decl';
import deployPromote from './deploy/promote.decl';
import evaluateModel from './evaluate/model.decl';
import gateMetrics from './gate/metrics.decl';
import coreCommand from './core/command.decl';
import searchSelect from './search/select.decl';
import trainLinear from './train/linear.decl';
import { portValueProblem } from '@kiln/engine';

const digest = `sha256:${'a'.repeat(64)}`;
const artifact = { uri: 'file:///a', digest, size: 10, mediaType: 'application/onnx' };
const model = { artifact, task: 'binary', features: [{ name: 'x', type: 'float' }], classes: [0, 1], target: 'y' };
const metrics = { task: 'binary', values: { auc: 0.9, brier: null }, report: { ...artifact, mediaType: 'application/json' } };
const dataset = {
  artifact: { ...artifact, mediaType: 'application/vnd.apache.arrow.file' },
  schema: [{ name: 'x', type: 'float', nullable: false }],
  rowCount: 3,
  stats: [{ name: 'x', type: 'float', kind: 'numeric', count: 3, nullCount: 0, min: 1, max: 3, mean: 2, std: 1, histogram: null }],
};
const node = (decl: { type: string }) => ({ nodeId: 'n1', type: decl.type });

describe('the worker checks port values against their schemas', () => {
  it('passes values that fit, and optional inputs not connected', () => {
    expect(portValueProblem(node(evaluateModel), 'input', evaluateModel.inputs, { model, dataset })).toBeUndefined();
    expect(portValueProblem(node(deployModel), 'input', deployModel.inputs, { model })).toBeUndefined();
    expect(portValueProblem(node(gateMetrics), 'input', gateMetrics.inputs, { metrics, baseline: null })).toBeUndefined();
  });

  it('names the node, the port and the path of what is wrong', () => {
    expect(portValueProblem(node(deployModel), 'input', deployModel.inputs, { model: { nope: 1 } })).toMatch(
      /^node "n1" \(deploy\.model\): input "model" is not a valid Model: task: .*; artifact: Invalid input: expected object/,
    );
    expect(portValueProblem(node(evaluateModel), 'input', evaluateModel.inputs, { model: { ...model, features: [{ name: 'x', type: 'int' }] }, dataset })).toMatch(
      /input "model" is not a valid Model: features\[0\]\.type: /,
    );
    expect(portValueProblem(node(evaluateModel), 'input', evaluateModel.inputs, { model: { ...model, artifact: { ...artifact, digest: 'md5:1' } }, dataset })).toContain(
      'input "model" is not a valid Model: artifact.digest: is not a sha256:<64 hex> digest',
    );
    expect(portValueProblem(node(deployPromote), 'input', deployPromote.inputs, { deployment: 42 })).toMatch(/input "deployment" is not a valid Deployment: /);
    expect(portValueProblem(node(trainLinear), 'input', trainLinear.inputs, { train: dataset, transform: {} })).toMatch(/input "transform" is not a valid Transform: artifact: /);
    expect(portValueProblem(node(evaluateModel), 'input', evaluateModel.inputs, { model: { ...model, task: 'regression' }, dataset })).toContain(
      'input "model" is not a valid Model: classes: must be null for a regression model',
    );
  });

  it('refuses a required input with no value', () => {
    expect(portValueProblem(node(evaluateModel), 'input', evaluateModel.inputs, { model })).toContain('input "dataset" (Dataset) has no value');
  });

  it('checks an input fed by a mapped node item by item', () => {
    expect(portValueProblem(node(searchSelect), 'input', searchSelect.inputs, { model: [model, model], metrics: [metrics, metrics] })).toBeUndefined();
    expect(portValueProblem(node(searchSelect), 'input', searchSelect.inputs, { model: [model, { ...model, target: '' }], metrics: [metrics] })).toMatch(
      /input "model" is not a valid Model list: \[1\]\.target: /,
    );
  });

  it('refuses outputs that are missing, undeclared, or not JSON', () => {
    expect(portValueProblem(node(coreCommand), 'output', coreCommand.outputs, { exitCode: 0, stdout: '', json: null })).toBeUndefined();
    expect(portValueProblem(node(coreCommand), 'output', coreCommand.outputs, { exitCode: 0, stdout: '' })).toContain('output "json" (Json) has no value');
    expect(portValueProblem(node(coreCommand), 'output', coreCommand.outputs, { exitCode: 0, stdout: '', json: null, extra: 1 })).toContain(
      'output "extra" is not a port of core.command',
    );
    expect(portValueProblem(node(coreCommand), 'output', coreCommand.outputs, { exitCode: 1n, stdout: '', json: null })).toMatch(/output "exitCode" is not JSON: /);
    // A Json value is checked as it travels: a Date becomes its ISO string.
    expect(portValueProblem(node(coreCommand), 'output', coreCommand.outputs, { exitCode: 0, stdout: '', json: { at: new Date(0) } })).toBeUndefined();
  });
});
