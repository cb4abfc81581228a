// A dataset's rows as a model's input columns, the form @kiln/serving runs: float32 for a float
// feature (missing: NaN), text for a string feature (missing: "").
import type { ModelValue } from '@kiln/engine';
import { cellNumber, cellText } from '@kiln/ml/preprocess/column-data';
import type { ColumnData } from '@kiln/serving';
import { NodeFailure } from '../node-failure';
import type { Columns } from '../shared/tabular';

/** Input columns for `rows` of `cols`, one per feature of the model. */
export function featureFeeds(model: Pick<ModelValue, 'features'>, cols: Columns, rows: readonly number[]): Record<string, ColumnData> {
  const feeds: Record<string, ColumnData> = {};
  for (const f of model.features) {
    const values = cols.values[f.name];
    if (!values) {
      throw new NodeFailure(`the dataset has no column "${f.name}", which the model takes as input`, {
        type: 'BadInput',
        retryable: false,
      });
    }
    feeds[f.name] = f.type === 'float' ? Float32Array.from(rows, (r) => cellNumber(values[r])) : rows.map((r) => cellText(values[r]));
  }
  return feeds;
}
