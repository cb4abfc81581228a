import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Reads a pipeline from a `.json` file, or from a `.ts`/`.js` module whose default export (or
 * `pipeline` export) is a spec or has `toSpec()`.
 */
export async function loadSpec(file: string): Promise<unknown> {
  const path = resolve(file);
  const ext = extname(path);
  if (ext === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) throw new Error(`${file}: expected a .json, .ts or .js file`);
  if (ext === '.ts' || ext === '.mts') typeScriptLoader();
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const exported = mod.default ?? mod.pipeline;
  if (exported === undefined) throw new Error(`${file} has no default export (a pipeline or a spec)`);
  const maybeBuilder = exported as { toSpec?: () => unknown };
  return typeof maybeBuilder.toSpec === 'function' ? maybeBuilder.toSpec() : exported;
}

let loaderRegistered = false;

/**
 * Lets a compiled `kiln` import a pipeline written in TypeScript: swc's loader, registered on first
 * need (run from sources, the CLI has it registered already).
 */
export function typeScriptLoader(): void {
  if (loaderRegistered || import.meta.url.endsWith('.ts')) return;
  register('@swc-node/register/esm', import.meta.url);
  loaderRegistered = true;
}
