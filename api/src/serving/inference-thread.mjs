// One inference thread of InferencePool (inference-pool.ts). Plain JavaScript because worker threads
// do not inherit the TypeScript loader. It holds one onnxruntime session per loaded model key and runs
// one batch at a time; the messages are typed in thread-protocol.ts.
import { parentPort } from 'node:worker_threads';

const mod = await import('onnxruntime-node');
const ort = mod.InferenceSession ? mod : mod.default;

/** @type {Map<string, import('onnxruntime-node').InferenceSession>} */
const sessions = new Map();

const firstLine = (error) => String(error?.message ?? error).split('\n')[0];

function describe(meta, names) {
  if (!Array.isArray(meta)) return names.map((name) => ({ name, isTensor: true }));
  return meta.map((m) => ({
    name: m.name,
    isTensor: m.isTensor,
    type: m.type,
    shape: m.shape ? Array.from(m.shape) : undefined,
  }));
}

/** A copy in a buffer of its own, so it can be transferred (output views may share or not own theirs). */
function own(data) {
  if (Array.isArray(data)) return data;
  return data.slice();
}

async function handle(msg) {
  switch (msg.op) {
    case 'load': {
      if (!sessions.has(msg.key)) {
        const session = await ort.InferenceSession.create(msg.onnx, {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        // A concurrent load of the same key may have finished first: keep one session.
        if (sessions.has(msg.key)) await session.release();
        else sessions.set(msg.key, session);
      }
      const session = sessions.get(msg.key);
      parentPort.postMessage({
        op: 'loaded',
        id: msg.id,
        inputs: describe(session.inputMetadata, session.inputNames),
        outputs: describe(session.outputMetadata, session.outputNames),
      });
      return;
    }
    case 'unload': {
      const session = sessions.get(msg.key);
      sessions.delete(msg.key);
      if (session) await session.release();
      parentPort.postMessage({ op: 'unloaded', id: msg.id });
      return;
    }
    case 'run': {
      const session = sessions.get(msg.key);
      if (!session) throw new Error(`model ${msg.key} is not loaded in this inference thread`);
      const feeds = {};
      for (const [name, data] of Object.entries(msg.feeds)) {
        feeds[name] = new ort.Tensor(Array.isArray(data) ? 'string' : 'float32', data, [msg.rows, 1]);
      }
      const result = await session.run(feeds, msg.outputs);
      const outputs = {};
      const transfer = [];
      for (const name of msg.outputs) {
        const data = own(result[name].data);
        outputs[name] = data;
        if (!Array.isArray(data)) transfer.push(data.buffer);
      }
      parentPort.postMessage({ op: 'ran', id: msg.id, outputs }, transfer);
      return;
    }
    default:
      throw new Error(`unknown message ${JSON.stringify(msg.op)}`);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).catch((error) =>
    parentPort.postMessage({ op: 'failed', id: msg.id, message: firstLine(error) }),
  );
});
parentPort.postMessage({ op: 'ready' });
