// The `tsbuild` command line, bundled into one script that loader.ts (the executable) runs. Start-up time matters
// (lint in CI, editors), so each command's modules are loaded only when it runs, and plain `parse`/`lint`/`pull`
// invocations skip yargs altogether (cli/fast-path.ts).
import { fastInvocation } from './fast-path.js';

async function main(): Promise<void> {
  const raw = process.argv.slice(2);
  // `run` parses its own arguments: options after IMAGE belong to the container's command (`run img id -u`).
  if (raw[0] === 'run') {
    process.exitCode = await (await import('./commands/run/run.js')).runArgv(raw.slice(1));
    return;
  }
  const fast = fastInvocation(process.argv.slice(2));
  if (fast?.command === 'parse') {
    process.exitCode = await (await import('./commands/parse/run.js')).run(fast.options);
    return;
  }
  if (fast?.command === 'lint') {
    process.exitCode = await (await import('./commands/lint/run.js')).run(fast.options);
    return;
  }
  if (fast?.command === 'build') {
    process.exitCode = await (await import('./commands/build/run.js')).run(fast.options);
    return;
  }
  if (fast?.command === 'pull') {
    process.exitCode = await (await import('./commands/pull/run.js')).run(fast.options);
    return;
  }
  const { buildCli, encodeStdinOperand } = await import('./program.js');
  let chosen: (() => Promise<number>) | undefined;
  // yargs' hideBin(process.argv) is slice(2) outside Electron; importing yargs/helpers for it costs start-up time.
  const argv = process.argv.slice(2).map(encodeStdinOperand);
  await buildCli(argv, (runner) => {
    chosen = runner;
  }).parseAsync();
  if (chosen) process.exitCode = await chosen();
}

/** Resources that stay open for the life of the process without anything left to do on them: the standard streams. */
const idleResources = new Set(['PipeWrap', 'TTYWrap']);

/**
 * Ends the process as soon as the command is done and the event loop holds nothing but the standard streams:
 * a natural exit then still tears the whole heap and environment down first, ~15 ms of every run here. Any
 * other pending work (a file being closed, a write still queued on a pipe, a child process, a timer) or a
 * `beforeExit` listener keeps the natural end, checked again each millisecond until it comes.
 */
function exitWhenIdle(): void {
  if (process.listenerCount('beforeExit') > 0) return;
  if (process.getActiveResourcesInfo().every((resource) => idleResources.has(resource))) process.exit();
  setTimeout(exitWhenIdle, 1).unref();
}

main()
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tsbuild: ${message}\n`);
    process.exitCode = 1;
  })
  .then(exitWhenIdle);
