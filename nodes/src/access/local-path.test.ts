import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDataUnreadable, localPathOf, localPathRefusal, openLocalData } from './local-path';
import { dataAccessPolicyFromEnv } from './policy';
import { DataAccessRefused } from './refusal';

// A data root with a file inside, and a secret next to it (outside the root).
const base = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-roots-')));
const root = join(base, 'root');
mkdirSync(join(root, 'sub'), { recursive: true });
writeFileSync(join(root, 'sub', 'data.csv'), 'a\n1\n');
writeFileSync(join(base, 'secret.csv'), 'token\nhunter2\n');
const policy = dataAccessPolicyFromEnv(
  { KILN_DATA_ROOTS: root },
  { cwd: join(root, 'sub'), home: join(base, 'home') },
);

const refusedWith = async (uri: string) => {
  const error = await openLocalData(uri, policy).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataAccessRefused);
  return (error as DataAccessRefused).message;
};
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

describe('local data under data roots', () => {
  it('reads a path, a relative path and a file:// URL under a root, through the opened file', async () => {
    for (const uri of [
      join(root, 'sub', 'data.csv'),
      'data.csv',
      '../sub/./data.csv',
      pathToFileURL(join(root, 'sub', 'data.csv')).href,
    ]) {
      const file = await openLocalData(uri, policy);
      opened.push(file);
      expect(file.realPath).toBe(join(root, 'sub', 'data.csv'));
      expect(file.name).toBe('data.csv');
      expect(file.path).toMatch(/^\/proc\/self\/fd\/\d+$/);
      expect(readFileSync(file.path, 'utf8')).toBe('a\n1\n');
    }
  });

  it('refuses absolute paths, .. and file:// outside the roots, naming the roots and the setting', async () => {
    const message = await refusedWith('/etc/passwd');
    expect(message).toContain('/etc/passwd is outside the data roots');
    expect(message).toContain(root);
    expect(message).toContain('KILN_DATA_ROOTS');
    for (const uri of [
      '../../secret.csv',
      '../../../../../../etc/passwd',
      'file:///etc/passwd',
      `file://${root}/../secret.csv`,
      `file://${root}/%2e%2e/secret.csv`,
      `file://${root}/%2E%2E/%2e%2e/%2e%2e/etc/passwd`,
      `file://${root}/sub/..%2f..%2fsecret.csv`,
      `file://localhost/etc/passwd`,
    ]) {
      expect(localPathRefusal(uri, policy), uri).toBeDefined();
      await refusedWith(uri);
    }
    expect(localPathOf(`file://${root}/%2e%2e/secret.csv`, '/')).toBe(join(base, 'secret.csv'));
  });

  it('refuses file:// URLs with a host and paths holding NUL', async () => {
    expect(await refusedWith('file://evil.example/etc/passwd')).toContain('file:// URLs name no host');
    expect(await refusedWith(`${root}/sub/data.csv\0.txt`)).toContain('NUL');
    expect(await refusedWith(`file://${root}/sub/data.csv%00.txt`)).toContain('NUL');
  });

  it('follows symlinks before the check: a link inside a root that points outside is refused', async () => {
    symlinkSync(join(base, 'secret.csv'), join(root, 'sub', 'link.csv'));
    symlinkSync(base, join(root, 'up'));
    symlinkSync(join(root, 'sub', 'data.csv'), join(root, 'inside.csv'));
    expect(localPathRefusal(join(root, 'sub', 'link.csv'), policy)).toBeUndefined(); // as written it is inside
    expect(await refusedWith(join(root, 'sub', 'link.csv'))).toContain(
      `resolves to ${join(base, 'secret.csv')}, which is outside`,
    );
    await refusedWith(join(root, 'up', 'secret.csv'));
    const inside = await openLocalData(join(root, 'inside.csv'), policy);
    opened.push(inside);
    expect(inside.realPath).toBe(join(root, 'sub', 'data.csv'));
  });

  it('keeps reading the file it checked when the path is swapped for a symlink afterwards', async () => {
    const path = join(root, 'sub', 'swap.csv');
    writeFileSync(path, 'x\ninside\n');
    const file = await openLocalData(path, policy);
    opened.push(file);
    renameSync(path, join(root, 'sub', 'swap-old.csv'));
    symlinkSync(join(base, 'secret.csv'), path);
    expect(readFileSync(file.path, 'utf8')).toBe('x\ninside\n');
  });

  it('reports missing files and non-files (a folder, a FIFO) as unreadable, not refused', async () => {
    await expect(openLocalData('missing.csv', policy)).rejects.toThrow(LocalDataUnreadable);
    await expect(openLocalData('missing.csv', policy)).rejects.toThrow(
      `cannot read ${join(root, 'sub', 'missing.csv')}: ENOENT`,
    );
    await expect(openLocalData(root, policy)).rejects.toThrow('is not a file');
    const fifo = join(root, 'sub', 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await expect(openLocalData(fifo, policy)).rejects.toThrow('is not a file');
  });

  it('defaults to the working folder and KILN_HOME/data', () => {
    const p = dataAccessPolicyFromEnv({}, { cwd: '/srv/project', home: '/srv/project/.kiln' });
    expect(p.dataRoots).toEqual(['/srv/project', '/srv/project/.kiln/data']);
    expect(localPathRefusal('data/x.csv', p)).toBeUndefined();
    expect(localPathRefusal('/srv/project/.kiln/data/x.csv', p)).toBeUndefined();
    // Kiln's own state (database, Temporal history, artifacts) is never data, though under the working folder.
    expect(localPathRefusal('/srv/project/.kiln/temporal.db', p)).toContain(
      "inside Kiln's own state (/srv/project/.kiln)",
    );
    expect(localPathRefusal('.kiln/artifacts/sha256/ab/cd/x', p)).toContain('outside the data roots');
    expect(localPathRefusal('/srv/projectx/x.csv', p)).toContain('outside the data roots');
    expect(localPathRefusal('/srv/x.csv', p)).toContain('outside the data roots');
    const two = dataAccessPolicyFromEnv({ KILN_DATA_ROOTS: '/data/a:relative' }, { cwd: '/srv', home: '/h' });
    expect(two.dataRoots).toEqual(['/data/a', '/srv/relative']);
  });
});
