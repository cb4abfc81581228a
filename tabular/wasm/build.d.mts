/** See build.mjs. */
export interface Kernel {
  source: string;
  generated: string;
  constant: string;
}
export const KERNELS: readonly Kernel[];
export function compileKernel(kernel: Kernel): Promise<Buffer>;
export function generatedModule(kernel: Kernel, wasm: Buffer): string;
export function committedModule(kernel: Kernel): Promise<string | null>;
export function buildKernels(): Promise<string[]>;
