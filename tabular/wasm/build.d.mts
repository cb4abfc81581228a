/** See build.mjs. */
export function compileCsvKernel(): Promise<Buffer>;
export function generatedModule(wasm: Buffer): string;
export function buildCsvKernel(): Promise<'unchanged' | 'written'>;
