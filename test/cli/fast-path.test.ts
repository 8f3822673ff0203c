// The argv fast path must choose exactly the command and options that the yargs program chooses, and leave to
// yargs every argument list it does not fully understand.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../cli/commands/parse/run.js', () => ({ run: async (options: unknown) => ({ parse: options }) }));
vi.mock('../../cli/commands/lint/run.js', () => ({ run: async (options: unknown) => ({ lint: options }) }));
vi.mock('../../cli/commands/pull/run.js', () => ({ run: async (options: unknown) => ({ pull: options }) }));
vi.mock('../../cli/commands/build/run.js', () => ({ run: async (options: unknown) => ({ build: options }) }));

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

describe('the yargs program', () => {
  it("does not render a command's help text before running it (yargs 17 does, ~20 ms)", async () => {
    const cli = buildCli(['images'], () => {});
    const usage = (cli as unknown as { getInternalMethods(): { getUsageInstance(): { help(): string } } })
      .getInternalMethods()
      .getUsageInstance();
    const help = vi.spyOn(usage, 'help');
    await cli.parseAsync();
    expect(help).not.toHaveBeenCalled();
  });
});

describe("docker build's flags that change nothing here", () => {
  it('--rm, --force-rm and --compress are accepted and give the same build as without them', async () => {
    const plain = await viaYargs(['build', '-t', 'x', '.']);
    expect(await viaYargs(['build', '--rm', '--force-rm', '--compress', '-t', 'x', '.'])).toEqual(plain);
    expect(await viaYargs(['build', '--rm=false', '--force-rm=true', '-t', 'x', '.'])).toEqual(plain);
  });
});

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
    ['build', '.'],
    ['build', '-t', 'app:1', '.'],
    ['build', 'ctx', '-t', 'a', '--tag', 'b', '-q'],
    ['build', '--progress', 'plain', '-t', 'bench:latest', '/tmp/ctx'],
    ['build', '--progress', 'quiet', '.'],
    ['build', '-f', '-', '.'],
    ['build', '-f', 'Dockerfile.dev', '--target', 'test', '--no-cache', '.'],
    ['build', '--build-arg', 'A=1', '--build-arg', 'B', '--jobs', '3', '--iidfile', 'id.txt', '.'],
    ['build', '--runtime', 'crun', '-t', 'x', '.'],
    ['--runtime', '/usr/local/bin/runc', '-t', 'x', './ctx'],
    ['build', '--network', 'none', '-t', 'x', '.'],
    ['--network', 'host', './ctx'],
    ['build', '--platform', 'linux/arm64', '-t', 'x', '.'],
    ['build', '--add-host', 'db:10.0.0.5', '--add-host', 'v6=::1', '--shm-size', '1g', '.'],
    ['build', '--ulimit', 'nofile=1024:2048', '--ulimit', 'core=0', '-t', 'x', '.'],
    ['build', '--allow', 'security.insecure', '--allow', 'network.host', '-t', 'x', '.'],
    ['build', '--load', '-o', 'type=local,dest=out', '.'],
    ['--add-host', 'db:10.0.0.5', './ctx'],
    ['build', '-'],
    ['build', '-t', '0x10', '--build-arg', 'true', '123'],
    ['-t', 'app', '.'],
    ['-q', './ctx'],
    ['--progress', 'tty', '-t', 'x', '/abs/ctx'],
    ['build', '--push', '-t', 'a', '.'],
    ['build', '--output', 'type=local,dest=out', '.'],
    ['build', '-o', 'type=tar,dest=a.tar', '-o', 'type=oci,dest=b.tar', '.'],
    ['build', '--secret', 'id=ca,src=/etc/ca.crt', '--secret', 'id=tok,env=TOKEN', '--ssh', 'default', '.'],
    ['build', '--label', 'a=1', '--label', 'b=2', '--metadata-file', 'm.json', '--debug', '.'],
    ['build', '--annotation', 'org.opencontainers.image.title=x', '--annotation', 'manifest:a=b', '.'],
    ['build', '--build-context', 'extra=../x', '--build-context', 'base=docker-image://busybox', '.'],
    ['build', '--cache-from', 'type=local,src=c', '--cache-to', 'type=local,dest=c,mode=max', '--pull', '.'],
    ['build', '--no-cache-filter', 'deps', '--no-cache-filter', 'a,b', '-t', 'x', '.'],
    ['--secret', 'id=a,src=f', './ctx'],
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
      ['build'],
      ['build', 'a', 'b'],
      ['build', '-t', 'a', '-t'],
      ['build', '-t', '-q', '.'],
      ['build', '--tag=a', '.'],
      ['build', '-f', 'a', '-f', 'b', '.'],
      ['build', '--progress', 'fancy', '.'],
      ['build', '--jobs', '0', '.'],
      ['build', '--jobs', '2x', '.'],
      ['build', '--runtime', '--crun', '.'],
      ['build', '--runtime', 'crun', '--runtime', 'runc', '.'],
      ['build', '--network', 'bridge', '.'],
      ['build', '--network', 'none', '--network', 'host', '.'],
      ['build', '--platform', 'linux/amd64', '--platform', 'linux/arm64', '.'],
      ['build', '--shm-size', '1g', '--shm-size', '2g', '.'],
      ['build', '--add-host', '.'],
      ['build', '--ulimit=nofile=1', '.'],
      ['build', '--no-cache', '--no-cache', '.'],
      ['build', '--cache', '.'],
      ['build', '-t', 'help', '.'],
      ['build', '--secret', '', '.'],
      ['build', '--secret=id=a,src=f', '.'],
      ['build', '--no-cache-filter', '', '.'],
      ['build', '--push', '--push', '-t', 'a', '.'],
      ['build', '--metadata-file', 'a', '--metadata-file', 'b', '.'],
      ['build', '--check', '.'],
      ['build', '--call', 'check', '.'],
      ['build', '--no-pull', '.'],
      ['build', '.', '--help'],
      ['build', '--', '.'],
      ['-t', 'app', 'images'],
      ['-t', 'app', 'ctx'],
      ['.'],
      ['-x', '.'],
    ]) {
      expect(fastInvocation(argv), JSON.stringify(argv)).toBeUndefined();
    }
  });
});
