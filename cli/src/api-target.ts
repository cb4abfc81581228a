import { readUpState } from './up-state';

/**
 * Which Kiln API a command talks to, and as whom: `--api`/`KILN_API_URL`, else the `kiln up` running
 * on this KILN_HOME (its state file), else the default port; `--token`/`KILN_TOKEN`.
 */
export interface ApiTarget {
  base: string;
  token: string | undefined;
}

export function apiTarget(values: { api?: string | undefined; token?: string | undefined }, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  return {
    base: (values.api ?? env.KILN_API_URL ?? readUpState()?.apiUrl ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    token: values.token ?? env.KILN_TOKEN,
  };
}
