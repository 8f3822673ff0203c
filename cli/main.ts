#!/usr/bin/env node
// Entry point of the `tsbuild` executable.
import { hideBin } from 'yargs/helpers';
import { buildCli, encodeStdinOperand, type Runner } from './program.js';

async function main(): Promise<void> {
  let chosen: Runner | undefined;
  const argv = hideBin(process.argv).map(encodeStdinOperand);
  await buildCli(argv, (runner) => {
    chosen = runner;
  }).parseAsync();
  if (chosen) process.exitCode = await chosen();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tsbuild: ${message}\n`);
  process.exitCode = 1;
});
