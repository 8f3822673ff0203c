/** What went wrong talking to a registry; callers branch on `code`, users read `message`. */
export type RegistryErrorCode =
  | 'EREG_AUTH_REQUIRED'
  | 'EREG_AUTH_FAILED'
  | 'EREG_DENIED'
  | 'EREG_NOT_FOUND'
  | 'EREG_DIGEST_MISMATCH'
  | 'EREG_TRUNCATED'
  | 'EREG_TOO_LARGE'
  | 'EREG_MEDIA_TYPE'
  | 'EREG_NO_PLATFORM'
  | 'EREG_BAD_RESPONSE'
  | 'EREG_HTTP'
  | 'EREG_NETWORK'
  | 'EREG_CREDENTIALS'
  | 'EREG_INVALID';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** HTTP status of the response that caused the error, when there was one. */
  readonly status: number | undefined;

  constructor(code: RegistryErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status;
  }
}

/** Errors of the distribution spec's JSON error body: `{"errors":[{"code","message","detail"}]}`. */
export interface DistributionErrorEntry {
  readonly code: string;
  readonly message: string;
}

/** Extracts `CODE: message` pairs from an error body; tolerant of anything else a server sends. */
export function describeErrorBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) {
      const entries = parsed.errors
        .filter((e): e is DistributionErrorEntry => typeof e === 'object' && e !== null && 'code' in e)
        .map((e) => (e.message ? `${e.code}: ${e.message}` : String(e.code)));
      if (entries.length > 0) return entries.join('; ');
    }
  } catch {
    // not JSON: fall through to the text itself
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A connection silent for longer than the idle timeout (retryable, as a dropped connection is). */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}
