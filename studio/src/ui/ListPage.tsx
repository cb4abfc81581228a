import type { ReactNode } from 'react';

/**
 * The scaffolding of a list page: a titled section, a toolbar beside the title, an error line and
 * a status line (the outcome of the last action).
 */
export function ListPage({
  id,
  title,
  toolbar,
  error,
  notice,
  children,
}: {
  id: string;
  title: string;
  toolbar?: ReactNode;
  error?: string | undefined;
  notice?: string | undefined;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`} className="list-page">
      <div className="page-head">
        <h1 id={`${id}-title`}>{title}</h1>
        {toolbar}
      </div>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="muted">
          {notice}
        </p>
      )}
      {children}
    </section>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/** A table with an accessible name, one header row and a row per item. */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  empty,
}: {
  label: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty?: ReactNode;
}) {
  if (!rows.length && empty) return <p className="muted">{empty}</p>;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map((c) => (
              <td key={c.header}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A labelled filter in a list page's toolbar: "All" (empty) or one of the options. */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly (string | { value: string; label: string })[];
}) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o}>{o}</option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </label>
  );
}
