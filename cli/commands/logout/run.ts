// `tsbuild logout [SERVER]`: forgets the saved credentials of a registry (Docker Hub by default).
import { type CommandIo, guarded, processIo } from '../images/command-io.js';
import { type RegistryOptions, registryClient, registryHost } from '../pull/registry-options.js';

export interface LogoutOptions extends RegistryOptions {
  readonly server?: string;
}

export async function run(opts: LogoutOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const host = registryHost(opts.server);
    const client = registryClient(opts, io);
    try {
      const removed = await client.logout(host);
      io.stdout(removed ? `Removing login credentials for ${host}\n` : `Not logged in to ${host}\n`);
    } finally {
      client.close();
    }
    return 0;
  });
}
