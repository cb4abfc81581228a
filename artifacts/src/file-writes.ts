import type { FileHandle } from 'node:fs/promises';

/**
 * Bytes per write call. Linux 6.x on ext4 (large folios) caches a buffered write of 2 MB or more in
 * 2 MB folios, and on the CI machine (kernel 6.18) those cost about ten times the system time per MB
 * of smaller ones: 512 MB written in 2–8 MB calls took 1.5–1.6 s of system time, in 256 KB – 2000 KB
 * calls 0.12–0.17 s. 1 MB calls stay clear of it; the extra calls cost nothing measurable.
 */
export const MAX_WRITE_BYTES = 1 << 20;

/** Buffers per writev call (IOV_MAX is 1024 on Linux). */
const MAX_IOVECS = 1024;

/**
 * Writes the views, in order, at the file's position: in writev calls of at most
 * {@link MAX_WRITE_BYTES}, each repeated for what a short write left. Returns the bytes written.
 */
export async function writeFully(handle: FileHandle, views: readonly Uint8Array[]): Promise<number> {
  let total = 0;
  for (const call of writeCalls(views)) {
    let pending = call;
    while (pending.length > 0) {
      let { bytesWritten } = await handle.writev(pending);
      // A file that takes no byte would otherwise be asked again forever.
      if (bytesWritten === 0) throw new Error(`a write of ${pending.reduce((n, v) => n + v.byteLength, 0)} bytes wrote none`);
      total += bytesWritten;
      let done = 0;
      while (done < pending.length && bytesWritten >= pending[done]!.byteLength) bytesWritten -= pending[done++]!.byteLength;
      const rest = pending.slice(done);
      if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
      pending = rest;
    }
  }
  return total;
}

/**
 * Groups views, in order, into the views of successive write calls of at most {@link MAX_WRITE_BYTES}
 * and {@link MAX_IOVECS} buffers each, splitting a view where a call ends; empty views are dropped.
 */
export function* writeCalls(views: readonly Uint8Array[]): Generator<Uint8Array[]> {
  let call: Uint8Array[] = [];
  let room = MAX_WRITE_BYTES;
  for (let view of views) {
    while (view.byteLength > 0) {
      const piece = view.byteLength <= room ? view : view.subarray(0, room);
      call.push(piece);
      room -= piece.byteLength;
      view = view.subarray(piece.byteLength);
      if (room === 0 || call.length === MAX_IOVECS) {
        yield call;
        call = [];
        room = MAX_WRITE_BYTES;
      }
    }
  }
  if (call.length > 0) yield call;
}
