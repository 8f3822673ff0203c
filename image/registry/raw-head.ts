// The head of an HTTP/1.x response, for raw-get.ts: status line and header fields, folded into the shape
// node:http gives (lower-case names; set-cookie an array; a repeated single-value field keeps its first value,
// others are joined with ", "), and how the body is framed. Anything ambiguous is refused, as llhttp does:
// conflicting Content-Length values, Content-Length next to Transfer-Encoding, obsolete line folding.
import type { IncomingHttpHeaders } from 'node:http';

export type BodyFraming =
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'until-close' };

export interface ResponseHead {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly framing: BodyFraming;
}

// The fields node:http keeps only the first of (see IncomingMessage's _addHeaderLine).
const singleValued = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class MalformedResponseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/**
 * Parses `text` (the bytes before the blank line, latin1) of a response to a GET: a body-less status (1xx, 204,
 * 304) gets a zero length.
 */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (statusLine === null) throw new MalformedResponseError('malformed HTTP status line');
  const status = Number(statusLine[1]);
  const headers: IncomingHttpHeaders = {};
  const lengths = new Set<string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, Math.max(colon, 0)).toLowerCase();
    if (colon <= 0 || !tokenPattern.test(name)) throw new MalformedResponseError('malformed HTTP header line');
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') lengths.add(value);
    const previous = headers[name];
    if (name === 'set-cookie') headers['set-cookie'] = [...(headers['set-cookie'] ?? []), value];
    else if (previous === undefined) headers[name] = value;
    else if (!singleValued.has(name)) headers[name] = `${String(previous)}, ${value}`;
  }
  return { status, headers, framing: framing(status, headers, lengths) };
}

function framing(status: number, headers: IncomingHttpHeaders, lengths: Set<string>): BodyFraming {
  if (status < 200 || status === 204 || status === 304) return { kind: 'length', length: 0 };
  const coding = headers['transfer-encoding'];
  if (coding !== undefined) {
    if (lengths.size > 0) throw new MalformedResponseError('both Content-Length and Transfer-Encoding in a response');
    if (coding.trim().toLowerCase() !== 'chunked') {
      throw new MalformedResponseError(`unsupported Transfer-Encoding "${coding}"`);
    }
    return { kind: 'chunked' };
  }
  if (lengths.size > 1) throw new MalformedResponseError('conflicting Content-Length values');
  const [length] = lengths;
  if (length === undefined) return { kind: 'until-close' };
  if (!/^\d{1,15}$/.test(length)) throw new MalformedResponseError(`invalid Content-Length "${length}"`);
  return { kind: 'length', length: Number(length) };
}
