// What every image command needs: where output goes, the environment, the store, and how failures become
// messages a user can act on (exit 1) instead of stack traces.
import type { Readable, Writable } from 'node:stream';
import {
  ArchiveError,
  defaultStoreRoot,
  ImageNotFoundError,
  InvalidReferenceError,
  RegistryError,
  Store,
} from '../../../image/index.js';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Standard input as bytes (`load`, `import -`, `login --password-stdin`). */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Standard output as a byte stream (`save` without `-o`); `isTTY` makes `save` refuse. */
  readonly stdoutStream?: Writable & { isTTY?: boolean };
}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: process.stdin as Readable,
  stdoutStream: process.stdout,
};

/** Options every image command accepts. */
export interface StoreOptions {
  /** Store directory (default `$TSBUILD_ROOT`, `/var/lib/tsbuild` for root). */
  readonly root?: string;
}

export function storeRoot(opts: StoreOptions, io: CommandIo): string {
  return opts.root ?? defaultStoreRoot((io.env ?? process.env) as NodeJS.ProcessEnv);
}

export function openStore(opts: StoreOptions, io: CommandIo): Promise<Store> {
  return Store.open(storeRoot(opts, io));
}

/** The one-line message shown for a failure; unexpected errors keep their own text. */
export function errorText(error: unknown): string {
  if (error instanceof InvalidReferenceError && !error.message.startsWith('invalid reference format')) {
    return `invalid reference format: ${error.message}`;
  }
  if (
    error instanceof ImageNotFoundError ||
    error instanceof RegistryError ||
    error instanceof ArchiveError ||
    error instanceof Error
  ) {
    return error.message;
  }
  return String(error);
}

/** Runs a command body; a thrown error is printed as `Error: …` and becomes exit code 1. */
export async function guarded(io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    io.stderr(`Error: ${errorText(error)}\n`);
    return 1;
  }
}

export async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
