import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  command: z
    .string()
    .min(1)
    .describe('The training program, run by `sh -c` (see the node description for its contract).'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables.'),
  cwd: z.string().optional().describe('Working directory (default: the worker’s).'),
});

export default declareNode({
  type: 'train.command',
  version: 1,
  category: 'train',
  capabilities: ['user-code'],
  title: 'Train with your own program',
  description:
    'Runs your own training program with `sh -c` (any language, e.g. `python train.py`). Contract: the command ' +
    'gets KILN_TRAIN_DATASET (path of the training set, an Arrow IPC file), KILN_TRANSFORM (path of the fitted ' +
    'transform, JSON `kiln.transform/v1`: target, task, classes, features), KILN_OUTPUT_DIR (an empty scratch ' +
    'folder), plus KILN_RUN_ID, KILN_NODE_ID, KILN_ATTEMPT and KILN_TASK_QUEUE, PATH, HOME, locale and its own ' +
    '`env` (nothing else of the worker’s environment). It runs user code: allowed only where the operator enables ' +
    'it (KILN_ALLOW_USER_CODE, KILN_USER_CODE_ROLES); a root worker runs it as an unprivileged user ' +
    '(KILN_USER_CODE_USER) under `resources.memoryMb` as an address-space limit. It must write ' +
    'KILN_OUTPUT_DIR/model.onnx (inputs: raw columns of the dataset as float or string tensors [N,1]; outputs ' +
    '`label` and `probabilities` for classification or `variable` for regression, like train.gbdt) and ' +
    'KILN_OUTPUT_DIR/metrics.json (a JSON object; its top-level numbers become the metrics). Stdout lines ' +
    '`KILN_PROGRESS {"iteration":1,"loss":0.5}` become heartbeat progress. A non-zero exit fails the node with ' +
    'the tail of stderr. With resources.gpu the node runs on the gpu queue; when the worker has KILN_GPU_SLOTS ' +
    '(e.g. "0,1") each running command takes a free slot as CUDA_VISIBLE_DEVICES. Cancellation and timeouts ' +
    'kill its whole process group. See examples/train-command/README.md.',
  inputs: { train: 'Dataset', transform: 'Transform' },
  outputs: { model: 'Model', metrics: 'Metrics' },
  params,
});
