// The argv fast path must choose exactly the command and options that the yargs program chooses, and leave to
// yargs every argument list it does not fully understand.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../cli/commands/parse/run.js', () => ({ run: async (options: unknown) => ({ parse: options }) }));
vi.mock('../../cli/commands/lint/run.js', () => ({ run: async (options: unknown) => ({ lint: options }) }));

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
    ]) {
      expect(fastInvocation(argv), JSON.stringify(argv)).toBeUndefined();
    }
  });
});
