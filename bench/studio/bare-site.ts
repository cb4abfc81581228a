import { createReadStream, existsSync, mkdtempSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Builds the bare React Flow page (bare/) with the studio's Vite and React plugin, into a temp folder. */
export async function buildBarePage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'kiln-bench-bare-'));
  await build({
    configFile: false,
    root: join(here, 'bare'),
    base: '/',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  });
  return outDir;
}

function proxy(api: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

/** Serves the built page and forwards `/api/*` to the Kiln API, so the page loads the pipeline like the studio. */
export async function serveBarePage(
  dir: string,
  apiUrl: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/api/')) return proxy(api, req, res);
    const file = join(dir, normalize(path === '/' ? 'index.html' : path).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
