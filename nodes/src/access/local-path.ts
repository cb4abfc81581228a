import { constants } from 'node:fs';
import { open, readlink, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_ROOTS_SETTING, isUnderRoots, type DataAccessPolicy } from './policy';
import { DataAccessRefused } from './refusal';

/**
 * The absolute, normalized path a local data URI names: `file://` URLs are decoded (so `%2e%2e`
 * is `..`), other values are paths taken from `cwd`; `..` is resolved, symlinks are not (yet).
 */
export function localPathOf(uri: string, cwd: string): string {
  if (uri.includes('\0')) throw new DataAccessRefused(uri, 'a path cannot hold a NUL byte');
  if (!/^file:/i.test(uri)) return resolve(cwd, uri);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DataAccessRefused(uri, 'not a valid file:// URL');
  }
  if (url.host !== '' && url.host !== 'localhost') {
    throw new DataAccessRefused(
      uri,
      `file:// URLs name no host (write file:///path, not file://${url.host}/…)`,
    );
  }
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new DataAccessRefused(uri, `not a valid file:// URL (${(error as Error).message})`);
  }
  if (path.includes('\0')) throw new DataAccessRefused(uri, 'a path cannot hold a NUL byte');
  return resolve(path);
}

function outsideRoots(uri: string, path: string, policy: DataAccessPolicy, real?: string): DataAccessRefused {
  const where = real && real !== path ? `${path} resolves to ${real}, which is` : `${path} is`;
  const roots = policy.dataRoots.join(', ');
  return new DataAccessRefused(
    uri,
    `${where} outside the data roots (${roots}) or inside Kiln's own state (${policy.home}); ` +
      `add its folder to ${DATA_ROOTS_SETTING} (folders separated by ':') to allow it`,
  );
}

/**
 * Why a local data URI is refused as written (its path, `..` resolved, outside every data root),
 * or undefined. Symlinks are followed only by {@link openLocalData}, on the machine that reads.
 */
export function localPathRefusal(uri: string, policy: DataAccessPolicy): string | undefined {
  try {
    const path = localPathOf(uri, policy.cwd);
    if (!isUnderRoots(path, policy.dataRoots, policy.home)) return outsideRoots(uri, path, policy).reason;
    return undefined;
  } catch (error) {
    if (error instanceof DataAccessRefused) return error.reason;
    throw error;
  }
}

/** A local file opened for reading under a data root; read it through `path` until `close()`. */
export interface OpenedLocalData {
  /** A path that names the opened file itself (`/proc/self/fd/N` on Linux), not whatever the URI's path names later. */
  readonly path: string;
  /** The file's name as the URI gives it (for format detection and messages). */
  readonly name: string;
  /** Where the file really is, symlinks resolved. */
  readonly realPath: string;
  readonly size: number;
  close(): Promise<void>;
}

/** Thrown for a local file that cannot be read (missing, not a regular file); not a policy refusal. */
export class LocalDataUnreadable extends Error {}

/**
 * Opens a local data URI (path or `file://`) if it is under a data root once `..` and symlinks are
 * resolved. The file is opened once and the opened descriptor's own path is checked again
 * (`/proc/self/fd/N`), so a symlink swapped between the check and the open cannot lead outside;
 * readers then read that descriptor's file, never the URI's path again. Where `/proc` is missing,
 * the opened file must be the same (device and inode) as the checked real path.
 */
export async function openLocalData(uri: string, policy: DataAccessPolicy): Promise<OpenedLocalData> {
  const path = localPathOf(uri, policy.cwd);
  const lexical = localPathRefusal(uri, policy);
  if (lexical) throw new DataAccessRefused(uri, lexical);
  const realRoots = (
    await Promise.all(policy.dataRoots.map((r) => realpath(r).catch(() => undefined)))
  ).filter((r): r is string => r !== undefined);
  const realHome = await realpath(policy.home).catch(() => policy.home);
  const underRoots = (p: string) => isUnderRoots(p, realRoots, realHome);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new LocalDataUnreadable(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (!underRoots(real)) throw outsideRoots(uri, path, policy, real);
  // O_NOFOLLOW: the real path has no symlink at its end unless one was put there since; O_NONBLOCK:
  // a FIFO does not block the open (it is refused below as not a regular file).
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP')
        throw new DataAccessRefused(uri, `${path} changed into a symlink while it was opened`);
      throw new LocalDataUnreadable(`cannot read ${path}: ${error.code ?? error.message}`);
    },
  );
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new LocalDataUnreadable(`${path} is not a file`);
    const fdPath = `/proc/self/fd/${handle.fd}`;
    const opened = await readlink(fdPath).catch(() => undefined);
    let readPath: string;
    if (opened !== undefined) {
      if (!underRoots(opened)) throw outsideRoots(uri, path, policy, opened);
      readPath = fdPath;
    } else {
      const now = await stat(real);
      if (now.dev !== info.dev || now.ino !== info.ino) {
        throw new DataAccessRefused(uri, `${path} changed while it was opened`);
      }
      readPath = real;
    }
    return {
      path: readPath,
      name: basename(path),
      realPath: real,
      size: info.size,
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
