import { isIP } from 'node:net';
import { Authenticator, type CredentialSource } from './auth.js';
import { parseChallenges } from './challenge.js';
import { describeErrorBody, RegistryError } from './errors.js';
import { Agents, drain, type HttpResponse, type RequestBody, readBody, send } from './http.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, type RetryOptions, sleep } from './retry.js';

export interface TransportOptions {
  /** Hosts (`host[:port]`) allowed over plain HTTP or unverified TLS besides loopback ones. */
  readonly insecureHosts: readonly string[];
  readonly credentials: CredentialSource;
  readonly retry: RetryOptions;
  readonly idleTimeoutMs: number;
  readonly userAgent: string;
  readonly maxSockets: number;
}

export interface RegistryRequest {
  readonly method: string;
  /** Path below the registry's base URL (`/v2/…`), or an absolute URL (upload locations). */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Token scopes, e.g. `repository:library/alpine:pull`. */
  readonly scopes: readonly string[];
  /** What the request is about, for messages: `host/repository`. */
  readonly subject: string;
  /** Retry 429/5xx and dropped connections (default true); uploads manage their own retries. */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

const maxRedirects = 5;
const errorBodyLimit = 64 * 1024;

/** Loopback hosts may always use plain HTTP: traffic never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const hostname = new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
  if (hostname === 'localhost') return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return hostname === '::1';
}

/** Plain HTTP (or unverified TLS) is allowed for loopback hosts and for hosts the user named, exactly. */
export function allowsPlainHttp(host: string, insecureHosts: readonly string[]): boolean {
  return isLoopbackHost(host) || insecureHosts.includes(host);
}

/** Where the distribution API of a registry host lives. */
function apiHost(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

/** Raises the error for a response status the caller did not expect, with the registry's own explanation. */
export async function unexpectedResponse(res: HttpResponse, what: string): Promise<RegistryError> {
  const body = await readBody(res.body, errorBodyLimit).catch(() => undefined);
  const detail = body === undefined || body.length === 0 ? '' : `: ${describeErrorBody(body.toString('utf8'))}`;
  if (res.status === 404) return new RegistryError('EREG_NOT_FOUND', `${what}: not found${detail}`, { status: 404 });
  if (res.status === 403) return new RegistryError('EREG_DENIED', `${what}: access denied${detail}`, { status: 403 });
  return new RegistryError('EREG_HTTP', `${what}: registry answered ${res.status}${detail}`, { status: res.status });
}

/**
 * HTTP to registries: endpoint and scheme per host, authentication, redirects, and bounded retries with
 * exponential backoff on 429/5xx and dropped connections.
 */
export class Transport {
  readonly auth: Authenticator;
  private readonly agents: Agents;
  private readonly bases = new Map<string, Promise<URL>>();

  constructor(private readonly options: TransportOptions) {
    this.agents = new Agents(options.maxSockets);
    this.auth = new Authenticator(options.credentials, this.agents, options.idleTimeoutMs, options.userAgent);
  }

  close(): void {
    this.agents.destroy();
  }

  private allowsInsecure(host: string): boolean {
    return allowsPlainHttp(host, this.options.insecureHosts);
  }

  /** The base URL of a host, found by pinging `/v2/` (which also teaches the auth challenge). */
  baseUrl(host: string): Promise<URL> {
    let base = this.bases.get(host);
    if (base === undefined) {
      base = this.ping(host);
      this.bases.set(host, base);
      base.catch(() => this.bases.delete(host));
    }
    return base;
  }

  private async ping(host: string): Promise<URL> {
    // A loopback registry is nearly always plain HTTP (containerd assumes so for localhost): probing it first
    // skips a TLS handshake attempt (and, in Node, building a TLS context) on every command.
    const schemes = !this.allowsInsecure(host)
      ? ['https:']
      : isLoopbackHost(host)
        ? ['http:', 'https:']
        : ['https:', 'http:'];
    let lastError: unknown;
    for (const [index, scheme] of schemes.entries()) {
      const fallback = index + 1 < schemes.length;
      const base = new URL(`${scheme}//${apiHost(host)}`);
      for (let attempt = 0; attempt < this.options.retry.attempts; attempt++) {
        try {
          const res = await send(
            {
              method: 'GET',
              url: new URL('/v2/', base),
              headers: { 'user-agent': this.options.userAgent },
              idleTimeoutMs: this.options.idleTimeoutMs,
              insecureTls: this.allowsInsecure(host),
            },
            this.agents,
          );
          await drain(res.body);
          // A TLS server answers a plain-HTTP request with 400: not the API, try the next scheme.
          if (scheme === 'http:' && fallback && res.status === 400) {
            lastError = new Error(`HTTP ${res.status} from ${base.origin}/v2/`);
            break;
          }
          if (isRetryableStatus(res.status) && attempt + 1 < this.options.retry.attempts) {
            await sleep(backoffDelay(attempt, this.options.retry, res.headers['retry-after']));
            continue;
          }
          if (res.status === 401) this.auth.learn(host, parseChallenges(res.headers['www-authenticate']));
          return base;
        } catch (error) {
          lastError = error;
          // Where both schemes are allowed, any failure of the first probe (typically a plain-HTTP server
          // answering a TLS hello, or a TLS server dropping plain HTTP) moves on to the other, which then gets
          // the retries.
          if (fallback) break;
          if (!isRetryableNetworkError(error)) break;
          if (attempt + 1 < this.options.retry.attempts) await sleep(backoffDelay(attempt, this.options.retry));
        }
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new RegistryError('EREG_NETWORK', `cannot reach registry ${host}: ${why}`, { cause: lastError });
  }

  /** Sends a request and returns the final response; raises on auth failure and exhausted retries. */
  async request(host: string, req: RegistryRequest): Promise<HttpResponse> {
    const base = await this.baseUrl(host);
    const attempts = req.retry === false ? 1 : this.options.retry.attempts;
    let reauthenticated = false;
    let scopes = req.scopes;
    for (let attempt = 0; ; attempt++) {
      req.signal?.throwIfAborted();
      const last = attempt + 1 >= attempts;
      let res: HttpResponse;
      try {
        res = await this.sendFollowingRedirects(host, base, req, scopes);
      } catch (error) {
        if (error instanceof RegistryError || last || !isRetryableNetworkError(error))
          throw this.networkError(host, error);
        await sleep(backoffDelay(attempt, this.options.retry), undefined, { signal: req.signal });
        continue;
      }
      if (res.status === 401) {
        await drain(res.body);
        const challenge = this.auth.learn(host, parseChallenges(res.headers['www-authenticate']));
        const creds = await this.auth.credentialsFor(host);
        if (!reauthenticated && challenge !== undefined) {
          // A first 401 means a missing or stale token; one more try with a fresh one.
          reauthenticated = true;
          this.auth.invalidate(host, scopes);
          // A registry may name the scope it wants (`error="insufficient_scope",scope="…"`): ask for it too.
          const wanted = challenge.params['scope']?.split(' ').filter((s) => s !== '') ?? [];
          scopes = [...new Set([...scopes, ...wanted])];
          attempt--;
          continue;
        }
        if (creds === undefined) {
          throw new RegistryError(
            'EREG_AUTH_REQUIRED',
            `authentication required for ${req.subject}: run tsbuild login`,
            {
              status: 401,
            },
          );
        }
        throw new RegistryError('EREG_AUTH_FAILED', `authentication failed for ${req.subject}: credentials rejected`, {
          status: 401,
        });
      }
      if (isRetryableStatus(res.status) && !last) {
        await drain(res.body);
        const delay = backoffDelay(attempt, this.options.retry, res.headers['retry-after']);
        await sleep(delay, undefined, { signal: req.signal });
        continue;
      }
      return res;
    }
  }

  private networkError(host: string, error: unknown): Error {
    if (error instanceof RegistryError || (error instanceof Error && error.name === 'AbortError')) return error;
    const why = error instanceof Error ? error.message : String(error);
    return new RegistryError('EREG_NETWORK', `network error talking to ${host}: ${why}`, { cause: error });
  }

  private async sendFollowingRedirects(
    host: string,
    base: URL,
    req: RegistryRequest,
    scopes: readonly string[],
  ): Promise<HttpResponse> {
    let url = new URL(req.target, base);
    let method = req.method;
    const authorization = await this.auth.authorization(host, scopes);
    for (let hop = 0; ; hop++) {
      // An upload location or redirect must not silently downgrade a registry reached over HTTPS.
      if (url.protocol === 'http:' && base.protocol === 'https:' && !this.allowsInsecure(url.host)) {
        throw new RegistryError('EREG_BAD_RESPONSE', `${req.subject}: refusing to leave HTTPS for ${url.origin}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new RegistryError('EREG_BAD_RESPONSE', `${req.subject}: unsupported URL scheme ${url.protocol}`);
      }
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...req.headers };
      // Credentials go only to the registry itself, never to a storage backend it redirects to.
      if (authorization !== undefined && url.host === base.host) headers['authorization'] = authorization;
      const res = await send(
        {
          method,
          url,
          headers,
          ...(req.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: req.body } : {}),
          idleTimeoutMs: this.options.idleTimeoutMs,
          insecureTls: this.allowsInsecure(url.host),
          ...(req.signal !== undefined ? { signal: req.signal } : {}),
        },
        this.agents,
      );
      const location = res.headers.location;
      const isRedirect = [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
      if (!isRedirect || (method !== 'GET' && method !== 'HEAD')) return res;
      await drain(res.body);
      if (hop + 1 >= maxRedirects) throw new RegistryError('EREG_BAD_RESPONSE', `${req.subject}: too many redirects`);
      url = new URL(location, url);
      if (res.status === 303) method = 'GET';
    }
  }
}
