// Times in image configs, history and OCI annotations as Go writes them: BuildKit and Docker encode a
// time.Time with MarshalJSON, which is RFC 3339 with nanoseconds ("2006-01-02T15:04:05.999999999Z07:00"): the
// fraction only when it is not zero, without trailing zeros, and `Z` for a zero offset. JavaScript's
// toISOString always writes milliseconds (`.000Z`), so an image built from the same inputs would get other bytes
// (and another ID) than BuildKit's. Every such time tsbuild writes goes through here.

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Go's form of a fraction of a second (digits after the point): nanoseconds at most, trailing zeros dropped. */
function fraction(digits: string | undefined): string {
  const kept = (digits ?? '').slice(0, 9).replace(/0+$/, '');
  return kept === '' ? '' : `.${kept}`;
}

/** The instant `ms` (milliseconds since the epoch, UTC) as Go's time.Time MarshalJSON writes it. */
export function goTime(ms: number): string {
  const match = rfc3339.exec(new Date(ms).toISOString());
  if (match === null) throw new RangeError(`time out of range: ${ms}`);
  return `${match[1]}${fraction(match[2])}Z`;
}

/** `seconds` since the epoch (SOURCE_DATE_EPOCH, a build's start) in Go's form. */
export function goTimeOfSeconds(seconds: number): string {
  return goTime(seconds * 1000);
}

/**
 * A stored RFC 3339 time (a base image's history, a cache record) as Go re-encodes it once it has read it:
 * nanoseconds kept, trailing zeros of the fraction dropped, a zero offset written `Z`, another offset as written.
 * Null for a string that is not an RFC 3339 time.
 */
export function goTimeText(text: string): string | null {
  const match = rfc3339.exec(text);
  if (match === null) return null;
  const offset = match[3] === '+00:00' || match[3] === '-00:00' ? 'Z' : match[3];
  return `${match[1]}${fraction(match[2])}${offset}`;
}
