import type { ApiConfig } from '../config';

/**
 * Where a run's workflow is in the Temporal web UI (the workflow id is the run id; the UI opens its
 * latest execution), or undefined when the UI's address is not known (`kiln up` knows it; a team
 * deployment sets KILN_TEMPORAL_UI_URL).
 */
export function temporalWorkflowUrl(
  config: Pick<ApiConfig, 'temporalUiUrl' | 'temporal'>,
  runId: string,
): string | undefined {
  if (!config.temporalUiUrl) return undefined;
  const base = config.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(runId)}`;
}
