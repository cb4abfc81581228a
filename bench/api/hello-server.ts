// The ceiling for bench/api: a bare Fastify server with a hello-world GET and a POST that parses JSON.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.post('/hello', async (req) => ({ got: typeof req.body }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('listening\n');
