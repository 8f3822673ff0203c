import type { AuthChallenge } from './challenge.js';
import type { Credentials } from './docker-config.js';
import { RegistryError } from './errors.js';
import { type Agents, readBody, send } from './http.js';

/** Looks up the credentials of a registry host (e.g. from ~/.docker/config.json); `undefined` = anonymous. */
export type CredentialSource = (host: string) => Promise<Credentials | undefined>;

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

const tokenResponseLimit = 1 << 20;
/** The distribution spec's default lifetime when a token response has no `expires_in`. */
const defaultTokenLifetimeSec = 60;

function basicHeader(creds: Credentials): string | undefined {
  if (creds.username === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/**
 * Docker's authentication: per host, the challenge learned from `/v2/` or a 401 decides between anonymous,
 * basic and bearer tokens; bearer tokens are fetched from the challenge's realm and cached per scope set.
 */
export class Authenticator {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly credentials = new Map<string, Promise<Credentials | undefined>>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly source: CredentialSource,
    private readonly agents: Agents,
    private readonly idleTimeoutMs: number,
    private readonly userAgent: string,
  ) {}

  /** Remembers the first supported challenge of a 401 (bearer preferred, as Docker does). */
  learn(host: string, challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (chosen !== undefined) this.challenges.set(host, chosen);
    return chosen;
  }

  credentialsFor(host: string): Promise<Credentials | undefined> {
    let creds = this.credentials.get(host);
    if (creds === undefined) {
      creds = this.source(host);
      this.credentials.set(host, creds);
    }
    return creds;
  }

  /** Replaces the credentials of a host for this client (used by login before anything is saved). */
  useCredentials(host: string, creds: Credentials | undefined): void {
    this.credentials.set(host, Promise.resolve(creds));
    for (const key of [...this.tokens.keys()]) if (key.startsWith(`${host}\n`)) this.tokens.delete(key);
  }

  /** Drops the cached token for these scopes, after the registry refused it. */
  invalidate(host: string, scopes: readonly string[]): void {
    const challenge = this.challenges.get(host);
    if (challenge !== undefined) this.tokens.delete(this.tokenKey(host, challenge, scopes));
  }

  /** The `Authorization` header for a request needing `scopes` (`repository:name:pull,push`), if any. */
  async authorization(host: string, scopes: readonly string[]): Promise<string | undefined> {
    const challenge = this.challenges.get(host);
    if (challenge === undefined) return undefined;
    const creds = await this.credentialsFor(host);
    if (challenge.scheme === 'basic') return creds === undefined ? undefined : basicHeader(creds);
    if (challenge.scheme !== 'bearer') return undefined;
    if (creds?.registryToken !== undefined) return `Bearer ${creds.registryToken}`;
    const key = this.tokenKey(host, challenge, scopes);
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expiresAt > Date.now()) return `Bearer ${cached.value}`;
    let request = this.pending.get(key);
    if (request === undefined) {
      request = this.fetchToken(host, challenge, scopes, creds).finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    return `Bearer ${await request}`;
  }

  private tokenKey(host: string, challenge: AuthChallenge, scopes: readonly string[]): string {
    return [
      host,
      challenge.params['realm'] ?? '',
      challenge.params['service'] ?? '',
      [...scopes].sort().join(' '),
    ].join('\n');
  }

  private async fetchToken(
    host: string,
    challenge: AuthChallenge,
    scopes: readonly string[],
    creds: Credentials | undefined,
  ): Promise<string> {
    const realm = challenge.params['realm'];
    if (realm === undefined || !/^https?:\/\//.test(realm)) {
      throw new RegistryError('EREG_BAD_RESPONSE', `${host}: bearer challenge without a valid realm`);
    }
    const url = new URL(realm);
    const service = challenge.params['service'];
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    let body: Buffer | undefined;
    let method = 'GET';
    if (creds?.identityToken !== undefined) {
      // OAuth2 refresh-token grant, as Docker does with an identity token.
      method = 'POST';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken });
      form.set('client_id', 'tsbuild');
      if (service !== undefined) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const basic = creds === undefined ? undefined : basicHeader(creds);
      if (basic !== undefined) {
        headers['authorization'] = basic;
        url.searchParams.set('account', creds!.username!);
      }
    }
    const res = await send(
      { method, url, headers, ...(body ? { body } : {}), idleTimeoutMs: this.idleTimeoutMs },
      this.agents,
    );
    const text = (await readBody(res.body, tokenResponseLimit))?.toString('utf8');
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        'EREG_AUTH_FAILED',
        `authentication failed for ${host}: the token server refused the credentials`,
        {
          status: res.status,
        },
      );
    }
    if (res.status !== 200 || text === undefined) {
      throw new RegistryError('EREG_BAD_RESPONSE', `${host}: token server answered ${res.status}`, {
        status: res.status,
      });
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new RegistryError('EREG_BAD_RESPONSE', `${host}: token server sent invalid JSON`);
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError('EREG_BAD_RESPONSE', `${host}: token server sent no token`);
    }
    const lifetime =
      typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : defaultTokenLifetimeSec;
    // Renew a little early so a token does not expire between this check and the registry's.
    const expiresAt = Date.now() + Math.max(lifetime - 10, lifetime / 2) * 1000;
    this.tokens.set(this.tokenKey(host, challenge, scopes), { value: token, expiresAt });
    return token;
  }
}
