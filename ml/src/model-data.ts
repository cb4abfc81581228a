/**
 * The base class of a model over its plain data `D` (JSON-serialisable): an instance carries D's
 * fields, read-only, and `toJSON` gives them back. A model's fields are so listed once, in D, not
 * again as class fields, in the constructor and in `toJSON` (where a forgotten one would be dropped
 * from the saved model without a word).
 */
export function ModelData<D extends object>() {
  return class {
    constructor(data: D) {
      Object.assign(this, data);
    }

    /** The model as plain data. */
    toJSON(): D {
      return { ...this } as unknown as D;
    }
  } as unknown as new (data: D) => Readonly<D> & { toJSON(): D };
}
