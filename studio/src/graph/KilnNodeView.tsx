import { createContext, memo, useContext } from 'react';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { type NodeState, portTypeOf } from '@kiln/engine';
import { useCatalog } from '../ui/catalog-context';
import { STATUS_STYLE, formatDuration } from '../ui/status';
import { PORT_COLORS } from './port-colors';
import { NODE_WIDTH } from './layout';
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
  const row = (i: number) => 58 + i * 22;
  return (
    <article
      className={`kiln-node${selected ? ' selected' : ''}${problems.has(id) ? ' invalid' : ''}${diff ? ` diff-${diff}` : ''}`}
      style={{
        width: NODE_WIDTH,
        borderColor: style?.color,
        minHeight: 66 + Math.max(inputs.length, outputs.length) * 22 + (state ? 22 : 0),
      }}
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
        <strong>{title}</strong>
        <span className="node-id">{id}</span>
      </header>
      <div className="node-type">
        {data.spec.type}
        {!info && <span className="error-text"> (unknown type)</span>}
      </div>
      {inputs.map(([port, decl], i) => (
        <div key={`in-${port}`} className="port in" style={{ top: row(i) - 9 }}>
          <Handle
            type="target"
            position={Position.Left}
            id={handleId('in', port)}
            style={{ top: 9, background: PORT_COLORS[portTypeOf(decl)] }}
            aria-label={`${id}: input ${port} (${portTypeOf(decl)})`}
          />
          {port} <span className="muted small">{portTypeOf(decl)}</span>
        </div>
      ))}
      {outputs.map(([port, decl], i) => (
        <div key={`out-${port}`} className="port out" style={{ top: row(i) - 9 }}>
          <span className="muted small">{portTypeOf(decl)}</span> {port}
          <Handle
            type="source"
            position={Position.Right}
            id={handleId('out', port)}
            style={{ top: 9, background: PORT_COLORS[portTypeOf(decl)] }}
            aria-label={`${id}: output ${port} (${portTypeOf(decl)})`}
          />
        </div>
      ))}
      {state && (
        <footer className="node-status" style={{ color: style?.color }}>
          <span>{status}</span>
          {state.attempts > 1 && <span>attempt {state.attempts}</span>}
          {state.items && (
            <span>
              {state.items.done}/{state.items.total} items
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
