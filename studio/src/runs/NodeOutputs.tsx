import { formatScalar } from '../ui/format';
import { ArtifactLink } from './ArtifactLink';
import { type Verdict, isArtifactRef, isObject, recordTable, verdictOf } from './outputs';

/** A decision as a badge (passed / failed, promoted / rolled back, approved / rejected) with its reason. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className="verdict">
      <span
        className={`badge ${verdict.ok ? 'verdict-ok' : 'verdict-bad'}`}
        role="status"
        aria-label={`Decision: ${verdict.label}`}
      >
        {verdict.ok ? '✓' : '✗'} {verdict.label}
      </span>
      {verdict.reason && <span className="verdict-reason small">{verdict.reason}</span>}
    </span>
  );
}

/** A table of rows with the same keys (gate checks, a leaderboard), at most 100 rows. */
function RecordsTable({ name, table }: { name: string; table: NonNullable<ReturnType<typeof recordTable>> }) {
  const shown = table.rows.slice(0, 100);
  return (
    <>
      <table className="compact-table" aria-label={name}>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, i) => (
            <tr key={i}>
              {table.columns.map((c) => (
                <td key={c} className={typeof row[c] === 'number' ? 'num' : undefined}>
                  {formatScalar(row[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.rows.length > shown.length && (
        <p className="muted small">{table.rows.length - shown.length} more rows not shown.</p>
      )}
    </>
  );
}

/** One value of a node's outputs: an artifact link, a decision badge, a table, text, or (deep) JSON. */
function Value({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  if (isArtifactRef(value))
    return (
      <>
        <ArtifactLink name={name} artifact={value} />
        {value.meta && Object.keys(value.meta).length > 0 && (
          <KeyValues name={`${name} facts`} values={value.meta} depth={depth + 1} />
        )}
      </>
    );
  if (typeof value === 'string' && value.includes('\n')) return <pre>{value}</pre>;
  if (value === null || typeof value !== 'object')
    return <span className={typeof value === 'number' ? 'num' : undefined}>{formatScalar(value)}</span>;
  const verdict = verdictOf(value);
  if (verdict && isObject(value)) {
    const { checks, ...rest } = value;
    const table = recordTable(checks);
    return (
      <>
        <VerdictBadge verdict={verdict} />
        {table && <RecordsTable name={`${name} checks`} table={table} />}
        <KeyValues
          name={`${name} details`}
          values={rest}
          depth={depth + 1}
          skip={['passed', 'action', 'decision', 'reasons', 'reason']}
        />
      </>
    );
  }
  const table = recordTable(value);
  if (table) return <RecordsTable name={name} table={table} />;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'))
    return (
      <span>
        {value.slice(0, 50).map(formatScalar).join(', ')}
        {value.length > 50 ? ` … (${value.length})` : ''}
      </span>
    );
  if (isObject(value) && depth < 3) return <KeyValues name={name} values={value} depth={depth + 1} />;
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

/** An object as a two-column table of names and values (nested values drawn by kind). */
export function KeyValues({
  name,
  values,
  depth = 0,
  skip = [],
}: {
  name: string;
  values: Record<string, unknown>;
  depth?: number;
  skip?: string[];
}) {
  const entries = Object.entries(values).filter(([k, v]) => v !== undefined && !skip.includes(k));
  if (entries.length === 0) return null;
  return (
    <table className="compact-table kv-table" aria-label={name}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              {/* A report's `artifact` is named after the report. */}
              <Value name={k === 'artifact' && depth > 0 ? name : k} value={v} depth={depth} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
