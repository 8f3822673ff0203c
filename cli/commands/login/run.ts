// `tsbuild login [SERVER] -u USER (--password-stdin | -p PASSWORD)`: checks the credentials against the
// registry, then saves them where Docker does (`~/.docker/config.json` or its credential helper).
import { type CommandIo, guarded, processIo, readAll } from '../images/command-io.js';
import { type RegistryOptions, registryClient, registryHost } from '../pull/registry-options.js';

export interface LoginOptions extends RegistryOptions {
  readonly server?: string;
  readonly username?: string;
  readonly password?: string;
  readonly passwordStdin?: boolean;
}

export async function run(opts: LoginOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    if (opts.password !== undefined && opts.passwordStdin)
      throw new Error('--password and --password-stdin are mutually exclusive');
    if (!opts.username) throw new Error('a username is needed: use -u USER (tsbuild does not prompt)');
    let password = opts.password;
    if (opts.passwordStdin) {
      if (io.stdin === undefined) throw new Error('no standard input to read the password from');
      // Docker trims the trailing newline (and carriage return) that `echo` and files add.
      password = (await readAll(io.stdin)).toString('utf8').replace(/\r?\n$/, '');
    } else if (password !== undefined) {
      io.stderr('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!password) throw new Error('a password is needed: use --password-stdin');
    const host = registryHost(opts.server);
    const client = registryClient(opts, io);
    try {
      await client.login(host, opts.username, password);
    } finally {
      client.close();
    }
    io.stdout('Login Succeeded\n');
    return 0;
  });
}
