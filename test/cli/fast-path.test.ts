// The argv fast path must choose exactly the command and options that the yargs program chooses, and leave to
// yargs every argument list it does not fully understand.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../cli/commands/parse/run.js', () => ({ run: async (options: unknown) => ({ parse: options }) }));
vi.mock('../../cli/commands/lint/run.js', () => ({ run: async (options: unknown) => ({ lint: options }) }));
vi.mock('../../cli/commands/pull/run.js', () => ({ run: async (options: unknown) => ({ pull: options }) }));

const { fastInvocation } = await import('../../cli/fast-path.js');
const { buildCli, encodeStdinOperand } = await import('../../cli/program.js');

/** What program.ts passes to the chosen command's `run` for `argv`. */
async function viaYargs(argv: string[]): Promise<unknown> {
  let chosen: (() => Promise<unknown>) | undefined;
  await buildCli(argv.map(encodeStdinOperand), (runner) => {
    chosen = runner as () => Promise<unknown>;
  }).parseAsync();
  if (chosen === undefined) throw new Error(`yargs chose no command for ${JSON.stringify(argv)}`);
  return chosen();
}

describe('fastInvocation', () => {
  const taken = [
    ['parse'],
    ['parse', 'Dockerfile.dev'],
    ['parse', '-'],
    ['parse', '--json'],
    ['parse', '--json', 'a/Dockerfile'],
    ['parse', 'a/Dockerfile', '--dump'],
    ['parse', ''],
    ['parse', '0x10'],
    ['parse', '1e3'],
    ['parse', 'true'],
    ['lint'],
    ['lint', 'Dockerfile'],
    ['lint', '-'],
    ['lint', 'a', '-', 'dir/', '012', 'a b'],
    ['pull', 'alpine'],
    ['pull', '-q', 'localhost:5000/a/b:1'],
    ['pull', 'busybox@sha256:0123', '--quiet'],
    ['pull', '127.0.0.1:5000/x'],
    ['pull', '0x10'],
    ['pull', 'true'],
  ];
  for (const argv of taken) {
    it(`takes ${JSON.stringify(argv)} with yargs' options`, async () => {
      const fast = fastInvocation(argv);
      expect(fast).toBeDefined();
      expect({ [fast?.command ?? '']: fast?.options }).toEqual(await viaYargs(argv));
    });
  }

  it('leaves everything else to yargs', () => {
    for (const argv of [
      [],
      ['--help'],
      ['-h'],
      ['--version'],
      ['plan'],
      ['build', '.'],
      ['parse', 'a', 'b'],
      ['parse', '--json', '--dump'],
      ['parse', '--json', '--json'],
      ['parse', '--no-json'],
      ['parse', '--json=true'],
      ['parse', '--help'],
      ['parse', '--', 'a'],
      ['parse', '-x'],
      ['lint', '--format', 'json', 'a'],
      ['lint', 'a', '--help'],
      ['lint', '--', 'a'],
      ['lint', '-v'],
      ['Parse'],
      ['parse', 'help'],
      ['lint', 'a', 'help'],
      ['lint', 'help', 'a'],
      ['pull'],
      ['pull', '-'],
      ['pull', 'a', 'b'],
      ['pull', 'help'],
      ['pull', '-q', '-q', 'a'],
      ['pull', '-q', '--quiet', 'a'],
      ['pull', '--no-quiet', 'a'],
      ['pull', '--quiet=true', 'a'],
      ['pull', '-qq', 'a'],
      ['pull', '--platform', 'linux/arm64', 'a'],
      ['pull', '--insecure-registry', 'h:5000', 'h:5000/a'],
      ['pull', 'a', '--help'],
      ['pull', '--', 'a'],
    ]) {
      expect(fastInvocation(argv), JSON.stringify(argv)).toBeUndefined();
    }
  });
});
