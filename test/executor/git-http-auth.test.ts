// Git credentials from build secrets (executor/git/http-auth.ts), as BuildKit's git source picks them: the host's
// header, the host's token, then the generic header and token; a token as GitHub's `x-access-token` basic auth.
import { describe, expect, it } from 'vitest';
import { gitAuthEnvironment, gitAuthSecretNames, gitHttpAuth } from '../../executor/git/http-auth.js';

const secrets = (values: Record<string, string>) => async (id: string) =>
  values[id] === undefined ? null : Buffer.from(values[id]);

describe('git HTTP credentials', () => {
  it('looks for the host header, host token, header, token — in that order, the host with its port', () => {
    expect(gitAuthSecretNames('https://git.example.com:8443/team/app.git')).toEqual([
      { id: 'GIT_AUTH_HEADER.git.example.com:8443', token: false },
      { id: 'GIT_AUTH_TOKEN.git.example.com:8443', token: true },
      { id: 'GIT_AUTH_HEADER', token: false },
      { id: 'GIT_AUTH_TOKEN', token: true },
    ]);
  });

  it('gives SSH and git:// remotes none', () => {
    expect(gitAuthSecretNames('git@github.com:moby/buildkit.git')).toEqual([]);
    expect(gitAuthSecretNames('ssh://git@example.com/app.git')).toEqual([]);
    expect(gitAuthSecretNames('git://example.com/app.git')).toEqual([]);
  });

  it('turns a token into x-access-token basic auth scoped to the remote', async () => {
    const remote = 'https://git.example.com/app.git';
    expect(await gitHttpAuth(remote, secrets({ GIT_AUTH_TOKEN: 's3cret\n' }))).toEqual({
      scope: remote,
      header: `basic ${Buffer.from('x-access-token:s3cret').toString('base64')}`,
    });
  });

  it('takes the first secret given: the host header over a generic token, the host token over a generic one', async () => {
    const remote = 'http://127.0.0.1:9418/app.git';
    expect(
      await gitHttpAuth(remote, secrets({ GIT_AUTH_TOKEN: 'generic', 'GIT_AUTH_HEADER.127.0.0.1:9418': 'bearer abc' })),
    ).toEqual({ scope: remote, header: 'bearer abc' });
    const token = await gitHttpAuth(
      remote,
      secrets({ GIT_AUTH_TOKEN: 'generic', 'GIT_AUTH_TOKEN.127.0.0.1:9418': 'h' }),
    );
    expect(token?.header).toBe(`basic ${Buffer.from('x-access-token:h').toString('base64')}`);
    expect(await gitHttpAuth(remote, secrets({}))).toBeUndefined();
  });

  it('scopes credentials for github.com to every repository there', async () => {
    const auth = await gitHttpAuth('https://github.com/moby/buildkit.git', secrets({ GIT_AUTH_TOKEN: 't' }));
    expect(auth?.scope).toBe('https://github.com/');
  });

  it('refuses a credential of several lines (it would add headers)', async () => {
    await expect(
      gitHttpAuth('https://example.com/a.git', secrets({ GIT_AUTH_HEADER: 'bearer a\nX-Evil: 1' })),
    ).rejects.toThrow('secret GIT_AUTH_HEADER: a git credential must be one line');
  });

  it('reaches git through its environment, never its command line', () => {
    expect(gitAuthEnvironment({ scope: 'https://example.com/a.git', header: 'bearer abc' })).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://example.com/a.git.extraheader',
      GIT_CONFIG_VALUE_0: 'Authorization: bearer abc',
    });
    expect(gitAuthEnvironment(undefined)).toEqual({});
  });
});
