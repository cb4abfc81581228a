// The onnxruntime sessions of one thread, by model key: what an inference thread runs
// (inference-thread.mjs), and what InferencePool runs on the main thread for a lone small request.
// Plain JavaScript because worker threads do not inherit the TypeScript loader.

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

/** Loads onnxruntime-node and answers load / unload / run messages (see thread-protocol.ts). */
export async function createInferenceHost() {
  const mod = await import('onnxruntime-node');
  const ort = mod.InferenceSession ? mod : mod.default;
  /** @type {Map<string, import('onnxruntime-node').InferenceSession>} */
  const sessions = new Map();

  /**
   * The reply to a message (without its id) and the buffers it may transfer. `transfer` false: the
   * caller reads the outputs where they are (the pool's inline runs), so they are not copied.
   */
  async function handle(msg, transfer = true) {
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
        return {
          reply: {
            op: 'loaded',
            inputs: describe(session.inputMetadata, session.inputNames),
            outputs: describe(session.outputMetadata, session.outputNames),
          },
          transfer: [],
        };
      }
      case 'unload': {
        const session = sessions.get(msg.key);
        sessions.delete(msg.key);
        if (session) await session.release();
        return { reply: { op: 'unloaded' }, transfer: [] };
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
        const buffers = [];
        for (const name of msg.outputs) {
          const data = transfer ? own(result[name].data) : result[name].data;
          outputs[name] = data;
          if (transfer && !Array.isArray(data)) buffers.push(data.buffer);
        }
        return { reply: { op: 'ran', outputs }, transfer: buffers };
      }
      default:
        throw new Error(`unknown message ${JSON.stringify(msg.op)}`);
    }
  }

  return { handle, firstLine };
}
