// JSON instances (`[{column: value}, …]`) to the model's input columns, with errors that name the
// instance and the column.
import type { ModelSignature } from './signature';

/** Instances one predict call may send. */
export const MAX_INSTANCES = 10_000;

/**
 * A request's rows as model inputs: per feature, numbers (NaN = missing; made float32 when requests
 * are batched) or text ("" = missing).
 */
export interface Columns {
  rowCount: number;
  values: Record<string, number[] | string[]>;
}

/** The feature names of a signature, made once per signature (this runs for every request). */
const featureNames = new WeakMap<ModelSignature, Set<string>>();

function namesOf(sig: ModelSignature): Set<string> {
  let names = featureNames.get(sig);
  if (!names) featureNames.set(sig, (names = new Set(sig.features.map((f) => f.name))));
  return names;
}

/** Bad instances: `path` locates the problem (`instances`, `instances[3]`, `instances[2].age`). */
export class InstanceError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'InstanceError';
  }
}

/** A value quoted for an error message, cut short when long. */
function shown(v: unknown): string {
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function mistyped(i: number, column: string, expected: string, v: unknown): InstanceError {
  const got = typeof v === 'number' && !Number.isFinite(v) ? `${v} (a number too large for JSON's finite range)` : `${shown(v)} (${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`})`;
  return new InstanceError(`instances[${i}].${column}: expected ${expected}, got ${got}`, `instances[${i}].${column}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks instances against the signature and builds its columns. Every instance must have every
 * feature column and no other; `null` is a missing value. Each value must have its column's JSON
 * type: float features take finite numbers (booleans, 1/0, when the feature was a boolean column in
 * training: `json: 'boolean'`), string features take strings. A value of another type is refused
 * rather than converted: `"contract": 5` or `"tenure": true` is a client bug, not a category.
 */
export function instancesToColumns(
  sig: ModelSignature,
  instances: unknown,
  maxInstances = MAX_INSTANCES,
): Columns {
  if (!Array.isArray(instances)) {
    throw new InstanceError(
      `"instances" must be an array of objects ({column: value}), got ${shown(instances)}`,
      'instances',
    );
  }
  const n = instances.length;
  if (n === 0) throw new InstanceError('"instances" is empty: send at least one instance', 'instances');
  if (n > maxInstances) {
    throw new InstanceError(
      `"instances" has ${n} instances; at most ${maxInstances} may be sent in one request`,
      'instances',
    );
  }
  const known = namesOf(sig);
  const values: Columns['values'] = {};
  for (const f of sig.features) values[f.name] = f.type === 'float' ? new Array<number>(n) : new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const row: unknown = instances[i];
    if (!isRecord(row)) {
      throw new InstanceError(
        `instances[${i}]: expected an object of column values, got ${shown(row)}`,
        `instances[${i}]`,
      );
    }
    let present = 0;
    for (const name in row) {
      if (!Object.hasOwn(row, name)) continue;
      if (!known.has(name)) {
        throw new InstanceError(
          `instances[${i}]: unknown column ${JSON.stringify(name)} (the model takes: ${sig.features.map((f) => f.name).join(', ')})`,
          `instances[${i}].${name}`,
        );
      }
      present++;
    }
    if (present !== sig.features.length) {
      const missing = sig.features.find((f) => !Object.hasOwn(row, f.name))!;
      throw new InstanceError(
        `instances[${i}]: missing column ${JSON.stringify(missing.name)}`,
        `instances[${i}].${missing.name}`,
      );
    }
    for (const f of sig.features) {
      const v = row[f.name];
      const column = values[f.name]!;
      if (f.type === 'float') {
        let x: number;
        if (f.json === 'boolean') {
          if (typeof v === 'boolean') x = v ? 1 : 0;
          else if (v === null) x = NaN;
          else throw mistyped(i, f.name, 'a boolean (true or false)', v);
        } else if (typeof v === 'number' && Number.isFinite(v)) x = v;
        else if (v === null) x = NaN;
        else throw mistyped(i, f.name, 'a finite number', v);
        (column as number[])[i] = x;
      } else {
        let s: string;
        if (typeof v === 'string') s = v;
        else if (v === null) s = '';
        else throw mistyped(i, f.name, 'a string', v);
        (column as string[])[i] = s;
      }
    }
  }
  return { rowCount: n, values };
}
