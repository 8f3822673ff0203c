import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Total tries of one request, the first included. */
  readonly attempts: number;
  /** Delay before the second try; it doubles each time (with jitter), capped by `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetry: RetryOptions = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Statuses a registry (or the proxy before it) uses for "try again later". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
}

const retryableCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Dropped or refused connections and stalls: worth another try. TLS or protocol errors are not. */
export function isRetryableNetworkError(error: unknown): boolean {
  if (error instanceof Error && error.name === 'AbortError') return false;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && retryableCodes.has(code)) return true;
  return error instanceof Error && /socket hang up|aborted/i.test(error.message);
}

/** Milliseconds to wait before try number `attempt + 1`; a server's `Retry-After` (seconds) wins, within bounds. */
export function backoffDelay(attempt: number, options: RetryOptions, retryAfter?: string | string[]): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if (header !== undefined && /^\d+$/.test(header.trim())) {
    return Math.min(Number(header.trim()) * 1000, options.maxDelayMs);
  }
  const exponential = options.baseDelayMs * 2 ** attempt;
  const jitter = 0.5 + Math.random() / 2;
  return Math.min(exponential * jitter, options.maxDelayMs);
}

export { sleep };
