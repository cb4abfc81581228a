import { columnTypeSchema } from '@kiln/engine';
import { z } from 'zod';
import { declareNode } from '../define-node';

const columnExpectation = z.strictObject({
  name: z.string().min(1).describe('The column; it must exist.'),
  type: columnTypeSchema.optional().describe('The column type it must have.'),
  notNull: z.boolean().default(false).describe('No missing values allowed.'),
  min: z.number().optional().describe('Smallest allowed value (numbers).'),
  max: z.number().optional().describe('Largest allowed value (numbers).'),
  allowed: z.array(z.union([z.string(), z.number(), z.boolean()])).optional().describe('The only values allowed (nulls aside).'),
  unique: z.boolean().default(false).describe('No value may appear twice (nulls aside).'),
  regex: z.string().optional().describe('Every non-null value, as text, must match this regular expression (whole value).'),
  maxMissingRatio: z.number().min(0).max(1).optional().describe('Largest allowed fraction of missing values.'),
});

const params = z.strictObject({
  columns: z.array(columnExpectation).default([]).describe('Expectations per column.'),
  minRows: z.number().int().min(0).optional().describe('Fewest rows allowed.'),
  maxRows: z.number().int().min(0).optional().describe('Most rows allowed.'),
  maxMissingRatio: z.number().min(0).max(1).optional().describe('Largest allowed fraction of missing values in any column.'),
  drift: z
    .strictObject({
      columns: z.array(z.string()).optional().describe('Columns compared with the reference (default: every shared column).'),
      psiThreshold: z.number().positive().default(0.2).describe('PSI above this is drift (0.1 small, 0.2 large, by convention).'),
      ksThreshold: z.number().positive().max(1).default(0.1).describe('Kolmogorov–Smirnov statistic above this is drift (numeric columns).'),
    })
    .default({ psiThreshold: 0.2, ksThreshold: 0.1 })
    .describe('Drift checks, run when the reference input is connected.'),
  onFailure: z.enum(['fail', 'warn']).default('fail').describe('fail: a failed check fails the node; warn: report it and go on.'),
});

export default declareNode({
  type: 'validate.tabular',
  version: 1,
  category: 'validate',
  capabilities: [],
  deterministic: true,
  title: 'Validate table',
  description:
    'Checks a dataset against expectations (columns and types, not-null, ranges, allowed values, unique, regex, row ' +
    'count, missing ratio) and, given a reference dataset, drift per column (PSI, Kolmogorov–Smirnov). Writes a report ' +
    'of every check with sample offending rows; fails or warns. Cells ingest read as null because they broke their ' +
    "column's inferred type always fail a type_offenders check that names their lines and values.",
  inputs: { dataset: 'Dataset', reference: { type: 'Dataset', optional: true, description: 'Data to compare with for drift.' } },
  outputs: { dataset: 'Dataset', report: 'Report' },
  params,
});
