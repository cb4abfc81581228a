type TypedArrayClass<T> = {
  new (length: number): T;
  new (buffer: SharedArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** A zeroed typed array over a `SharedArrayBuffer`, so worker threads see the same memory. */
export function sharedArray<T>(type: TypedArrayClass<T>, length: number): T {
  return new type(new SharedArrayBuffer(Math.max(1, length) * type.BYTES_PER_ELEMENT));
}

/** A zeroed typed array, in shared memory when `shared` (worker threads will read it). */
export function typedArray<T>(type: TypedArrayClass<T>, length: number, shared: boolean): T {
  return shared ? sharedArray(type, length) : new type(length);
}
