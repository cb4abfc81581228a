/** The labelled choice of a pipeline (by name; the value is its id) in the forms that act on one. */
export function PipelineSelect({
  pipelines,
  value,
  onChange,
  required,
}: {
  pipelines: readonly { id: string; name: string }[] | undefined;
  value: string;
  onChange: (id: string) => void;
  required?: boolean;
}) {
  return (
    <label>
      Pipeline
      <select aria-label="Pipeline" value={value} onChange={(e) => onChange(e.target.value)} required={required}>
        <option value="">Choose…</option>
        {(pipelines ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}
