import type { ModelValue } from '@kiln/engine';

/** The parts of a run a model card is written from. */
export interface CardInputs {
  name: string;
  version: number;
  pipeline: { id: string; name: string; version: number; description: string | null };
  runId: string;
  model: ModelValue;
  metrics: Record<string, unknown>;
  datasets: { nodeId: string; digest: string; rowCount: number | null; columns: number | null }[];
}

/**
 * An auto-generated model card: intended use, data, metrics, and the limitations that follow from
 * how the model was made. JSON for programs, Markdown for people.
 */
export function modelCard(c: CardInputs): { sections: Record<string, unknown>; markdown: string } {
  const features = c.model.features;
  const metricLines = Object.entries(c.metrics)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `| ${k} | ${(v as number).toFixed(4)} |`);
  const rows = c.datasets.map((d) => d.rowCount ?? 0);
  const limitations = [
    `Trained on ${Math.max(0, ...rows).toLocaleString('en')} rows; behaviour outside the range of that data is not known.`,
    `Takes exactly these ${features.length} columns as served: ${features.map((f) => `${f.name} (${f.type})`).join(', ') || 'none recorded'}.`,
    'Metrics are from the pipeline’s own held-out split; live accuracy needs feedback from production.',
    ...(c.model.task === 'regression' ? [] : [`Predicts only the classes it saw: ${JSON.stringify(c.model.classes ?? [])}.`]),
  ];
  const sections = {
    model: { name: c.name, version: c.version, task: c.model.task, target: c.model.target, digest: c.model.artifact.digest, sizeBytes: c.model.artifact.size },
    intendedUse: c.pipeline.description ?? `Predicts "${c.model.target ?? 'the target'}" for the pipeline "${c.pipeline.name}".`,
    data: c.datasets,
    metrics: c.metrics,
    lineage: { pipelineId: c.pipeline.id, pipelineVersion: c.pipeline.version, runId: c.runId },
    limitations,
  };
  const markdown = [
    `# ${c.name} v${c.version}`,
    '',
    `**Task:** ${c.model.task ?? 'unknown'} — target \`${c.model.target ?? '?'}\``,
    '',
    '## Intended use',
    sections.intendedUse,
    '',
    '## Data',
    ...c.datasets.map((d) => `- \`${d.nodeId}\`: ${d.rowCount ?? '?'} rows × ${d.columns ?? '?'} columns (${d.digest})`),
    '',
    '## Metrics',
    '| metric | value |',
    '| --- | --- |',
    ...metricLines,
    '',
    '## Limitations',
    ...limitations.map((l) => `- ${l}`),
    '',
    `Made by run \`${c.runId}\` of pipeline \`${c.pipeline.name}\` v${c.pipeline.version}.`,
  ].join('\n');
  return { sections, markdown };
}
