import { Fragment, createContext, memo, useContext } from 'react';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { type NodeState, portTypeOf } from '@kiln/engine';
import { useCatalog } from '../ui/catalog-context';
import { STATUS_STYLE, formatDuration } from '../ui/status';
import { PORT_COLORS } from './port-colors';
import { nodeVerdict } from '../runs/outputs';
import type { DiffStatus } from './spec-diff';
import { ORDER_PORT, type KilnNode, handleId } from './spec-graph';

/** Live node states while a run is shown; null in the editor. */
export const RunStatesContext = createContext<Record<string, NodeState> | null>(null);
/** Node ids with a validation problem (editor only). */
export const ProblemNodesContext = createContext<ReadonlySet<string>>(new Set());
/** Heartbeat progress (0–1) of running nodes that report it (run view only). */
export const ProgressContext = createContext<Record<string, number>>({});
/** Per-node diff status while two versions are compared; null elsewhere. */
export const DiffNodesContext = createContext<Record<string, DiffStatus> | null>(null);

const DIFF_MARK: Record<Exclude<DiffStatus, 'same'>, string> = { added: '+', removed: '−', changed: '~' };

function KilnNodeViewImpl({ id, data, selected }: NodeProps<KilnNode>) {
  const { byType } = useCatalog();
  const states = useContext(RunStatesContext);
  const problems = useContext(ProblemNodesContext);
  const diff = useContext(DiffNodesContext)?.[id];
  const progress = useContext(ProgressContext)[id];
  const info = byType.get(data.spec.type);
  const state = states?.[id];
  const status = states ? (state?.status ?? 'pending') : undefined;
  const style = status ? STATUS_STYLE[status] : undefined;
  const inputs = Object.entries(info?.inputs ?? {});
  const outputs = Object.entries(info?.outputs ?? {});
  const title = data.spec.title || info?.title || data.spec.type;
  const label = `node ${id}: ${title}${status ? `, ${status}` : ''}${problems.has(id) ? ', has problems' : ''}${diff ? `, ${diff}` : ''}`;
  const rows = Math.max(inputs.length, outputs.length);
  const verdict = nodeVerdict(state?.outputs);
  return (
    <article
      className={`kiln-node${selected ? ' selected' : ''}${problems.has(id) ? ' invalid' : ''}${diff ? ` diff-${diff}` : ''}`}
      style={style ? { borderColor: style.color } : undefined}
      aria-label={label}
      data-status={status}
    >
      <Handle
        type="target"
        position={Position.Left}
        id={handleId('in', ORDER_PORT)}
        className="order-handle"
        style={{ top: 22, background: PORT_COLORS.order }}
        aria-label={`${id}: run after (order input)`}
      />
      <Handle
        type="source"
        position={Position.Right}
        id={handleId('out', ORDER_PORT)}
        className="order-handle"
        style={{ top: 22, background: PORT_COLORS.order }}
        aria-label={`${id}: done (order output)`}
      />
      <header>
        {diff && diff !== 'same' && (
          <span className={`diff-badge diff-${diff}`} aria-hidden="true">
            {DIFF_MARK[diff]}
          </span>
        )}
        {style && (
          <span className="status-icon" style={{ color: style.color }} aria-hidden="true">
            {style.icon}
          </span>
        )}
        <strong className="node-title">{title}</strong>
      </header>
      <div className="node-type">
        <span className="node-id">{id}</span> {data.spec.type}
        {!info && <span className="error-text"> (unknown type)</span>}
      </div>
      {rows > 0 && (
        // One row per port index, inputs left and outputs right: the node is as wide as its widest row.
        <div className="ports">
          {Array.from({ length: rows }, (_, i) => {
            const input = inputs[i];
            const output = outputs[i];
            return (
              <Fragment key={i}>
                {input ? (
                  <div className="port in">
                    <Handle
                      type="target"
                      position={Position.Left}
                      id={handleId('in', input[0])}
                      style={{ background: PORT_COLORS[portTypeOf(input[1])] }}
                      aria-label={`${id}: input ${input[0]} (${portTypeOf(input[1])})`}
                    />
                    <span className="port-label">
                      {input[0]} <span className="muted small">{portTypeOf(input[1])}</span>
                    </span>
                  </div>
                ) : (
                  <span />
                )}
                {output ? (
                  <div className="port out">
                    <span className="port-label">
                      <span className="muted small">{portTypeOf(output[1])}</span> {output[0]}
                    </span>
                    <Handle
                      type="source"
                      position={Position.Right}
                      id={handleId('out', output[0])}
                      style={{ background: PORT_COLORS[portTypeOf(output[1])] }}
                      aria-label={`${id}: output ${output[0]} (${portTypeOf(output[1])})`}
                    />
                  </div>
                ) : (
                  <span />
                )}
              </Fragment>
            );
          })}
        </div>
      )}
      {state && (
        <footer className="node-status" style={{ color: style?.color }}>
          <span>{status}</span>
          {verdict && (
            <span className={verdict.ok ? 'verdict-ok' : 'verdict-bad'} title={verdict.reason}>
              {verdict.ok ? '✓' : '✗'} {verdict.label}
            </span>
          )}
          {state.attempts > 1 && <span>attempt {state.attempts}</span>}
          {state.cachedFrom && <span title={`reused from run ${state.cachedFrom.runId}, node ${state.cachedFrom.nodeId}`}>reused</span>}
          {state.items && (
            <span>
              {state.items.done}/{state.items.total} items
              {state.items.cached && !state.cachedFrom ? `, ${state.items.cached} reused` : ''}
            </span>
          )}
          {status === 'running' && progress !== undefined && <span>{Math.round(progress * 100)}%</span>}
          <span>{formatDuration(state.startedAt, state.endedAt)}</span>
        </footer>
      )}
      {status === 'running' &&
        (progress === undefined ? (
          <div className="progress" role="progressbar" aria-label={`${id} running`} />
        ) : (
          <div
            className="progress determinate"
            role="progressbar"
            aria-label={`${id} progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(progress * 100)}
          >
            <div className="progress-fill" style={{ width: `${progress * 100}%` }} />
          </div>
        ))}
    </article>
  );
}

export const KilnNodeView = memo(KilnNodeViewImpl);
export const nodeTypes = { kiln: KilnNodeView };
