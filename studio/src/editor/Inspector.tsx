import { memo, useState } from 'react';
import { NODE_ID_PATTERN, type NodeSpec, type Problem } from '@kiln/engine';
import type { PipelineMeta } from '../graph/spec-graph';
import { useCatalog } from '../ui/catalog-context';
import { ParamForm } from './LazyParamForm';

const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));

/** Drops undefined fields, and the whole object when nothing is left. */
function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const out = Object.fromEntries(
    Object.entries(o).filter(
      ([, v]) => v !== undefined && v !== '' && !(typeof v === 'number' && Number.isNaN(v)),
    ),
  );
  return Object.keys(out).length ? (out as T) : undefined;
}

function NumberField({
  label,
  value,
  onChange,
  min,
  step,
  fallback,
}: {
  label: string;
  value: number | undefined;
  onChange(v: number | undefined): void;
  min?: number;
  step?: number;
  /** What applies when the field is empty (the node type's default), shown as its placeholder. */
  fallback?: number;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        value={value ?? ''}
        placeholder={fallback === undefined ? undefined : `type default: ${fallback}`}
        min={min}
        step={step ?? 'any'}
        onChange={(e) => onChange(num(e.target.value))}
      />
    </label>
  );
}

/** The selected node's settings: id, title, params (from its JSON Schema), retry, timeout, resources, cache. */
function NodeInspectorView({
  node,
  problems,
  onChange,
  onRename,
  taken,
}: {
  node: NodeSpec;
  problems: Problem[];
  onChange(n: NodeSpec): void;
  onRename(to: string): void;
  taken: ReadonlySet<string>;
}) {
  const { byType } = useCatalog();
  const info = byType.get(node.type);
  const [idDraft, setIdDraft] = useState(node.id);
  const [idError, setIdError] = useState<string>();
  const set = (patch: Partial<NodeSpec>) => {
    const next = { ...node, ...patch } as Record<string, unknown>;
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    onChange(next as NodeSpec);
  };
  const commitId = () => {
    if (idDraft === node.id) return setIdError(undefined);
    if (!NODE_ID_PATTERN.test(idDraft))
      return setIdError('An id starts with a letter or _ and holds letters, digits, _ and - only.');
    if (taken.has(idDraft)) return setIdError(`"${idDraft}" is already used by another node.`);
    setIdError(undefined);
    onRename(idDraft);
  };
  const retry = node.retry ?? {};
  const resources = node.resources ?? {};
  return (
    <div className="inspector-body">
      <h2>{info?.title ?? node.type}</h2>
      {info && <p className="muted small">{info.description}</p>}
      <label>
        Node id
        <input
          value={idDraft}
          onChange={(e) => setIdDraft(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => e.key === 'Enter' && commitId()}
          aria-invalid={!!idError}
        />
      </label>
      {idError && (
        <p role="alert" className="error-text small">
          {idError}
        </p>
      )}
      <label>
        Title
        <input
          value={node.title ?? ''}
          placeholder={info?.title}
          onChange={(e) => set({ title: e.target.value || undefined })}
        />
      </label>
      {problems.length > 0 && (
        <ul className="node-problems" aria-label={`Problems of ${node.id}`}>
          {problems.map((p, i) => (
            <li key={i} className="error-text small">
              {p.path}: {p.message}
            </li>
          ))}
        </ul>
      )}
      <fieldset>
        <legend>Params</legend>
        {info ? (
          <ParamForm
            key={node.id}
            id={`params-${node.id}`}
            label={`Params of ${node.id}`}
            schema={info.paramsJsonSchema}
            value={node.params ?? {}}
            onChange={(params) => set({ params: Object.keys(params).length ? params : undefined })}
          />
        ) : (
          <p className="error-text">Unknown node type: its params cannot be edited here.</p>
        )}
      </fieldset>
      <fieldset>
        <legend>Retry and timeout</legend>
        <NumberField
          label="Max attempts"
          min={1}
          step={1}
          value={retry.maxAttempts}
          onChange={(v) => set({ retry: compact({ ...retry, maxAttempts: v }) })}
        />
        <NumberField
          label="First retry after (s)"
          min={0}
          value={retry.initialIntervalSeconds}
          onChange={(v) => set({ retry: compact({ ...retry, initialIntervalSeconds: v }) })}
        />
        <NumberField
          label="Backoff coefficient"
          min={1}
          value={retry.backoffCoefficient}
          onChange={(v) => set({ retry: compact({ ...retry, backoffCoefficient: v }) })}
        />
        <NumberField
          label="Timeout per attempt (s)"
          min={0}
          value={node.timeoutSeconds}
          onChange={(v) => set({ timeoutSeconds: v })}
        />
      </fieldset>
      <fieldset>
        <legend>Resources</legend>
        <label>
          Task queue
          <input
            value={resources.queue ?? ''}
            placeholder="cpu / gpu by default"
            onChange={(e) =>
              set({ resources: compact({ ...resources, queue: e.target.value || undefined }) })
            }
          />
        </label>
        <NumberField
          label="GPUs"
          min={0}
          step={1}
          value={resources.gpu}
          fallback={info?.resources?.gpu}
          onChange={(v) => set({ resources: compact({ ...resources, gpu: v }) })}
        />
        <NumberField
          label="CPUs"
          min={0}
          value={resources.cpu}
          fallback={info?.resources?.cpu}
          onChange={(v) => set({ resources: compact({ ...resources, cpu: v }) })}
        />
        <NumberField
          label="Memory (MB)"
          min={0}
          step={1}
          value={resources.memoryMb}
          fallback={info?.resources?.memoryMb}
          onChange={(v) => set({ resources: compact({ ...resources, memoryMb: v }) })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={node.cache ?? false}
            onChange={(e) => set({ cache: e.target.checked || undefined })}
          />{' '}
          Cache results
        </label>
      </fieldset>
    </div>
  );
}

/** Pipeline-level settings, shown when no node is selected. */
function PipelineInspectorView({ meta, onChange }: { meta: PipelineMeta; onChange(m: PipelineMeta): void }) {
  const [paramsText, setParamsText] = useState(() =>
    JSON.stringify(meta.params ?? { type: 'object', properties: {} }, null, 2),
  );
  const [paramsError, setParamsError] = useState<string>();
  const set = (patch: Partial<PipelineMeta>) => {
    const next = { ...meta, ...patch } as Record<string, unknown>;
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    onChange(next as PipelineMeta);
  };
  return (
    <div className="inspector-body">
      <h2>Pipeline</h2>
      <label>
        Name
        <input value={meta.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <label>
        Description
        <textarea
          rows={2}
          value={meta.description ?? ''}
          onChange={(e) => set({ description: e.target.value || undefined })}
        />
      </label>
      <NumberField
        label="Max parallel activities"
        min={1}
        step={1}
        value={meta.maxParallel}
        onChange={(v) => set({ maxParallel: v })}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={meta.failFast ?? false}
          onChange={(e) => set({ failFast: e.target.checked || undefined })}
        />{' '}
        Stop at the first failure
      </label>
      <label>
        Run parameters (JSON Schema)
        <textarea
          rows={8}
          className="mono"
          value={paramsText}
          aria-invalid={!!paramsError}
          onChange={(e) => {
            setParamsText(e.target.value);
            try {
              const parsed = JSON.parse(e.target.value) as PipelineMeta['params'];
              setParamsError(undefined);
              const empty =
                parsed &&
                Object.keys(parsed.properties ?? {}).length === 0 &&
                Object.keys(parsed).every((k) => k === 'type' || k === 'properties');
              set({ params: empty ? undefined : parsed });
            } catch (err) {
              setParamsError((err as Error).message);
            }
          }}
        />
      </label>
      {paramsError && (
        <p role="alert" className="error-text small">
          Not JSON: {paramsError}
        </p>
      )}
    </div>
  );
}

/** Memoized: the editor re-renders on every drag frame, the inspector only when its props change. */
export const NodeInspector = memo(NodeInspectorView);
export const PipelineInspector = memo(PipelineInspectorView);
