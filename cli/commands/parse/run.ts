// `tsbuild parse [FILE] [--json | --dump]`: prints BuildKit's AST dump (default) or the AST as JSON (docs/ast.md);
// diagnostics go to stderr as `FILE:LINE:COL: severity: message`. Exit code 1 when there is an error.
import { readFile } from 'node:fs/promises';
import { parse, toBuildKitDump } from '../../../parser/index.js';

export interface ParseCommandOptions {
  file: string;
  json: boolean;
  dump: boolean;
}

export interface ParseIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<Uint8Array>;
}

const processIo: ParseIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
};

export async function run(opts: ParseCommandOptions, io: ParseIo = processIo): Promise<number> {
  const file = opts.file === '' ? 'Dockerfile' : opts.file;
  const shown = file === '-' ? '<stdin>' : file;
  let bytes: Uint8Array;
  try {
    // Bytes, not text: invalid UTF-8 must reach the parser unchanged (the dump prints it as \xNN).
    bytes = file === '-' ? await io.readStdin() : new Uint8Array(await readFile(file));
  } catch (error) {
    io.stderr(
      `${shown}: error: cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return 1;
  }
  const { ast, diagnostics } = parse(bytes);
  try {
    io.stdout(opts.json ? `${JSON.stringify(ast, null, 2)}\n` : toBuildKitDump(ast));
  } catch (error) {
    // JSON.stringify recurses: an absurdly deep ONBUILD chain can exhaust the stack.
    io.stderr(`${shown}: error: cannot print the AST: ${(error as Error).message}\n`);
    return 1;
  }
  let failed = false;
  for (const d of diagnostics) {
    failed ||= d.severity === 'error';
    io.stderr(`${shown}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message}\n`);
  }
  return failed ? 1 : 0;
}
