type TypedArrayClass<T> = {
  new (buffer: SharedArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** A zeroed typed array over a `SharedArrayBuffer`, so worker threads see the same memory. */
export function sharedArray<T>(type: TypedArrayClass<T>, length: number): T {
  return new type(new SharedArrayBuffer(Math.max(1, length) * type.BYTES_PER_ELEMENT));
}
