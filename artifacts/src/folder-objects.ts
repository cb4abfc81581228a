import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type NamedObjects, checkObjectKey } from './named-objects';

/** Named objects as files under a folder (`<store root>/named`), replaced by rename. */
export class FolderObjects implements NamedObjects {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.part`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (error) {
      // After a rename there is no temporary file left to remove (one file-system call less per put).
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Written to a temporary file, then hard-linked into place: link(2) fails with EEXIST if the name is taken. */
  async create(key: string, bytes: Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.part`;
    try {
      await writeFile(temp, bytes);
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const names = await readdir(this.pathOf(prefix.replace(/\/$/, '')));
      return names.filter((n) => !n.endsWith('.part')).sort();
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    }
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkObjectKey(key).split('/'));
  }
}
