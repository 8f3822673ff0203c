// A benchmark's child command run to completion, its stderr kept for the error.
import { spawn } from 'node:child_process';

/** Runs a command to completion; rejects on a non-zero exit, since the numbers would mean nothing. */
export function runCommand(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    // 'exit', not 'close': after `runc create` the container's init still holds the stderr pipe.
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${stderr}`)),
    );
  });
}
