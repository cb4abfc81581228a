import { describe, expect, it } from 'vitest';
import { KERNELS, committedModule, compileKernel, generatedModule } from '../wasm/build.mjs';

describe('the WebAssembly kernels', () => {
  it.each(KERNELS.map((kernel) => [kernel.generated, kernel] as const))(
    '%s is the module its AssemblyScript sources compile to',
    async (_, kernel) => {
      expect(await committedModule(kernel)).toBe(generatedModule(kernel, await compileKernel(kernel)));
    },
    60_000,
  );
});
