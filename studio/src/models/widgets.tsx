// Small pieces shared by the models and deployments pages.
import { Fragment, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { DeploymentSummary, ModelStage } from './api';
import { type Block, type Inline, inlineText, parseMarkdown } from './markdown';
import { trafficSplit } from './shaping';

const STAGE_ICON: Record<ModelStage, string> = { production: '●', staging: '◐', none: '○', archived: '▫' };

export function StageBadge({ stage }: { stage: ModelStage }) {
  return (
    <span className={`badge stage stage-${stage}`} aria-label={`stage ${stage}`}>
      <span aria-hidden="true">{STAGE_ICON[stage] ?? '?'}</span> {stage}
    </span>
  );
}

export function ReadyBadge({ ready, what = 'ready' }: { ready: boolean; what?: string }) {
  return (
    <span className={`badge ${ready ? 'ready' : 'not-ready'}`}>
      <span aria-hidden="true">{ready ? '✓' : '✕'}</span> {ready ? what : `not ${what}`}
    </span>
  );
}

/** Live traffic as a bar (primary and canary shares), a shadow copy marked beside it. */
export function TrafficBar({
  deployment,
  compact = false,
}: {
  deployment: Pick<
    DeploymentSummary,
    'primaryVersion' | 'candidateVersion' | 'candidateMode' | 'canaryPercent' | 'standbyVersion'
  >;
  compact?: boolean;
}) {
  const split = trafficSplit(deployment);
  return (
    <div
      className={`traffic${compact ? ' compact' : ''}`}
      role="img"
      aria-label={split.label}
      title={split.label}
    >
      <div className="traffic-bar">
        {split.segments.length === 0 && <span className="traffic-empty">no version serving</span>}
        {split.segments.map((s) =>
          s.percent > 0 ? (
            <span
              key={s.role}
              className={`traffic-seg ${s.role}`}
              style={{ width: `${s.percent}%` }}
              aria-hidden="true"
            >
              {s.percent >= 12 || !compact ? `v${s.version} ${Math.round(s.percent * 10) / 10}%` : ''}
            </span>
          ) : null,
        )}
      </div>
      {split.shadow !== null && (
        <span className="traffic-shadow" aria-hidden="true">
          + v{split.shadow} shadow
        </span>
      )}
    </div>
  );
}

/** An API error as a sentence, saying so when the token's role is not enough for the change. */
export function actionError(err: unknown): string {
  if (err instanceof ApiError && err.status === 403)
    return `${err.message} — changes need a token with the editor role.`;
  return (err as Error).message;
}

function Spans({ inline }: { inline: Inline[] }) {
  return (
    <>
      {inline.map((s, i) =>
        s.kind === 'code' ? (
          <code key={i} className="mono">
            {s.text}
          </code>
        ) : s.kind === 'strong' ? (
          <strong key={i}>{s.text}</strong>
        ) : (
          <Fragment key={i}>{s.text}</Fragment>
        ),
      )}
    </>
  );
}

function BlockView({ block }: { block: Block }): ReactNode {
  switch (block.kind) {
    case 'heading': {
      // Card headings sit under the page's h2: # becomes h3, ## h4.
      const Tag = (['h3', 'h4', 'h5', 'h6'] as const)[Math.min(3, block.level - 1)]!;
      return (
        <Tag>
          <Spans inline={block.inline} />
        </Tag>
      );
    }
    case 'paragraph':
      return (
        <p>
          <Spans inline={block.inline} />
        </p>
      );
    case 'list':
      return (
        <ul>
          {block.items.map((item, i) => (
            <li key={i}>
              <Spans inline={item} />
            </li>
          ))}
        </ul>
      );
    case 'table':
      return (
        <table className="compact-table" aria-label={block.header.map(inlineText).join(' and ')}>
          <thead>
            <tr>
              {block.header.map((h, i) => (
                <th key={i} scope="col">
                  <Spans inline={h} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {block.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>
                    <Spans inline={c} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
  }
}

/** A model card: its Markdown when it has one, else its sections as a definition list. */
export function ModelCardView({
  card,
}: {
  card: { sections?: Record<string, unknown>; markdown?: string } | null;
}) {
  if (card?.markdown)
    return (
      <div className="model-card">
        {parseMarkdown(card.markdown).map((b, i) => (
          <BlockView key={i} block={b} />
        ))}
      </div>
    );
  const sections = Object.entries(card?.sections ?? {});
  if (!sections.length) return <p className="muted">This version has no model card.</p>;
  return (
    <dl className="model-card">
      {sections.map(([k, v]) => (
        <div key={k}>
          <dt>{k.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt>
          <dd>
            {Array.isArray(v) && v.every((x) => typeof x === 'string') ? (
              <ul>
                {v.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ul>
            ) : typeof v === 'string' ? (
              v
            ) : (
              <pre>{JSON.stringify(v, null, 2)}</pre>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
