// One inference thread of InferencePool (inference-pool.ts): the sessions of inference-host.mjs
// behind the thread's message port, one message at a time per call id.
import { parentPort } from 'node:worker_threads';
import { createInferenceHost } from './inference-host.mjs';

const host = await createInferenceHost();

parentPort.on('message', (msg) => {
  host.handle(msg).then(
    ({ reply, transfer }) => parentPort.postMessage({ ...reply, id: msg.id }, transfer),
    (error) => parentPort.postMessage({ op: 'failed', id: msg.id, message: host.firstLine(error) }),
  );
});
parentPort.postMessage({ op: 'ready' });
