/** Node's WebAssembly global (the `node` types here do not declare it). */
const { Module, Instance } = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

/** Each kernel's module, compiled once per thread: its instances share the compiled (and tiered-up) code. */
const modules = new Map<string, object>();

/** The exports of a new instance of a kernel module (its bytes in base64, as tabular/wasm/build.mjs writes them). */
export function instantiateKernel<T>(base64: string): T {
  let module = modules.get(base64);
  if (module === undefined) modules.set(base64, (module = new Module(Buffer.from(base64, 'base64'))));
  return new Instance(module, {}).exports as T;
}

/** What every kernel exports: its memory. */
export interface KernelMemory {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

export const WASM_PAGE = 65_536;

/** Grows `memory` to at least `bytes`; true when it grew (views of it must be made again). */
export function ensureMemory(memory: KernelMemory['memory'], bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return false;
  memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
  return true;
}
