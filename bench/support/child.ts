import { type ChildProcess, spawn } from 'node:child_process';

/** Starts a process (Node by default) and resolves once its output says `ready`; rejects if it exits first. */
export function child(args: string[], env: Record<string, string>, ready: string, command = process.execPath): Promise<ChildProcess> {
  const p = spawn(command, args, { env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready: ${out}`)), 120_000);
    const on = (c: Buffer) => {
      out += c.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    p.stdout!.on('data', on);
    p.stderr!.on('data', on);
    p.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}
