import { useState } from 'react';
import type { PipelineSpec } from '@kiln/engine';
import { kilnApi } from '../api/client';
import { navigate } from '../ui/router';
import { ParamForm } from './LazyParamForm';

/** Asks for the run parameters (a form from the pipeline's JSON Schema), then starts the run. */
export function RunDialog({
  pipelineId,
  spec,
  onClose,
}: {
  pipelineId: string;
  spec: PipelineSpec;
  onClose(): void;
}) {
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const hasParams = Object.keys(spec.params?.properties ?? {}).length > 0;
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { runId } = await kilnApi.startRun(pipelineId, params);
      navigate(`runs/${encodeURIComponent(runId)}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="modal-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="run-dialog-title" className="modal card">
        <h2 id="run-dialog-title">Run {spec.name}</h2>
        {hasParams ? (
          <ParamForm
            id="run-params"
            label="Run parameters"
            schema={spec.params as Record<string, unknown>}
            value={params}
            onChange={setParams}
          />
        ) : (
          <p className="muted">This pipeline takes no run parameters.</p>
        )}
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        <div className="row">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => void start()} disabled={busy}>
            {busy ? 'Starting…' : 'Start run'}
          </button>
        </div>
      </div>
    </div>
  );
}
