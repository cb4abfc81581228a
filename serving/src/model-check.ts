// Does an ONNX session take and give what a signature says? Checked once when a model is loaded.
import type { ModelSignature } from './signature';
import type { ValueInfo } from './thread-protocol';

const ONNX_TYPE = { float: 'float32', string: 'string' } as const;

/** The outputs predict() reads for a task. */
export function outputsFor(sig: ModelSignature, outputs: readonly ValueInfo[]): string[] {
  if (sig.task === 'regression')
    return [outputs.some((o) => o.name === 'variable') ? 'variable' : (outputs[0]?.name ?? 'variable')];
  return ['label', 'probabilities'];
}

/** Every mismatch between the session's inputs/outputs and the signature, as sentences (empty when they agree). */
export function signatureProblems(
  sig: ModelSignature,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
): string[] {
  const problems: string[] = [];
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const f of sig.features) {
    const input = byName.get(f.name);
    if (!input) {
      problems.push(`the signature's feature "${f.name}" is not an input of the model`);
      continue;
    }
    if (input.type && input.type !== ONNX_TYPE[f.type]) {
      problems.push(`input "${f.name}" is ${input.type} in the model but ${f.type} in the signature`);
    }
    const shape = input.shape;
    if (shape && (shape.length !== 2 || (typeof shape[1] === 'number' && shape[1] !== 1))) {
      problems.push(`input "${f.name}" has shape [${shape.join(', ')}], not [N, 1]`);
    }
  }
  const features = new Set(sig.features.map((f) => f.name));
  for (const i of inputs)
    if (!features.has(i.name))
      problems.push(`the model's input "${i.name}" is not a feature of the signature`);

  const outs = new Map(outputs.map((o) => [o.name, o]));
  if (sig.task === 'regression') {
    const name = outputsFor(sig, outputs)[0]!;
    const o = outs.get(name);
    if (!o) problems.push('the model has no output');
    else if (o.type && o.type !== 'float32') problems.push(`output "${name}" is ${o.type}, not float32`);
  } else {
    const k = sig.classes?.length ?? 0;
    if (k < 2) problems.push(`a ${sig.task} signature needs at least two classes`);
    if (sig.task === 'binary' && k > 2) problems.push(`a binary signature has ${k} classes`);
    const label = outs.get('label');
    const proba = outs.get('probabilities');
    if (!label) problems.push('the model has no "label" output');
    else if (label.type && label.type !== 'int64' && label.type !== 'string')
      problems.push(`output "label" is ${label.type}, not int64 or string`);
    if (!proba) problems.push('the model has no "probabilities" output');
    else {
      if (proba.type && proba.type !== 'float32')
        problems.push(`output "probabilities" is ${proba.type}, not float32`);
      const width = proba.shape?.[1];
      if (typeof width === 'number' && k >= 2 && width !== k) {
        problems.push(`output "probabilities" has ${width} columns but the signature has ${k} classes`);
      }
    }
  }
  return problems;
}
