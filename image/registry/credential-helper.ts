import { spawn } from 'node:child_process';
import { RegistryError } from './errors.js';

/** The answer of `docker-credential-<helper> get`. */
export interface HelperCredentials {
  readonly ServerURL?: string;
  readonly Username: string;
  readonly Secret: string;
}

const helperName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const notFound = /credentials not found/i;
const helperTimeoutMs = 30_000;

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin, as the Docker CLI does. `get` of an unknown
 * server answers `undefined`; other failures throw with the helper's own message.
 */
export async function runCredentialHelper(
  helper: string,
  action: 'get' | 'store' | 'erase',
  input: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  // The name comes from a config file: it must stay a program name, never a path.
  if (!helperName.test(helper)) {
    throw new RegistryError('EREG_CREDENTIALS', `invalid credential helper name "${helper}"`);
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: helperTimeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'not found on PATH' : error.message;
      reject(new RegistryError('EREG_CREDENTIALS', `credential helper ${program}: ${why}`, { cause: error }));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const message = (stdout.trim() || stderr.trim() || `exit status ${code}`).split('\n')[0]!;
      if (action === 'get' && notFound.test(message)) return resolve(undefined);
      if (action === 'erase' && notFound.test(message)) return resolve(undefined);
      reject(new RegistryError('EREG_CREDENTIALS', `credential helper ${program} ${action}: ${message}`));
    });
    child.stdin.on('error', () => {
      // the helper may exit before reading stdin; its exit status tells what happened
    });
    child.stdin.end(input);
  });
}
