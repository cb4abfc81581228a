import { z } from 'zod';

/**
 * `kiln.config.ts` (in the folder `kiln worker` starts in, or `--config <file>`): the node packages a
 * worker loads beside the built-ins. Its default export is the config.
 */
export const kilnConfigSchema = z.strictObject({
  /** Modules or packages whose exports are node definitions: a path (relative to the config file) or a package name. */
  nodes: z.array(z.string().min(1)).min(1),
  /**
   * The task queue their types are served and registered on (default: `nodes.<package name>`, one per
   * package). Not `cpu`, `gpu` or `kiln-workflows`: Kiln's own workers poll those.
   */
  queue: z.string().min(1).optional(),
});
export type KilnConfig = z.input<typeof kilnConfigSchema>;

/** Types a `kiln.config.ts`: `export default defineConfig({ nodes: ['./src/index.ts'] })`. */
export function defineConfig(config: KilnConfig): KilnConfig {
  return config;
}
