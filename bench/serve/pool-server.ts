// bench/serve's HTTP ceiling for Kiln: a bare Fastify route in front of the InferencePool, with no
// auth, database or logging. Kiln's predict endpoint minus this is what the API itself costs.
// Env: MODEL (ONNX file), SIGNATURE (JSON file), PORT.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { InferencePool, InstanceError } from '@kiln/serving';

const pool = await InferencePool.start();
await pool.load(
  'model',
  new Uint8Array(readFileSync(process.env.MODEL!)),
  JSON.parse(readFileSync(process.env.SIGNATURE!, 'utf8')),
);
const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
app.post('/predict', async (req, reply) => {
  try {
    return await pool.predict('model', (req.body as { instances?: unknown } | null)?.instances);
  } catch (error) {
    if (error instanceof InstanceError)
      return reply.code(400).send({ message: error.message, path: error.path });
    throw error;
  }
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('listening');
const stop = async () => {
  await app.close();
  await pool.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
