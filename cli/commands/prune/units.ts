// The value forms docker's prune options take: Go durations (`time.ParseDuration`: `24h`, `1h30m`, `90s`) and
// go-units' RAMInBytes sizes (`512m`, `5GB`, `1.5gib`: binary multiples, case-insensitive), plus BuildKit's
// disk-space form `N%` (of the store's filesystem) for the collector's settings.
import { parseGoDuration as parseDuration } from '../../../parser/index.js';

/** Milliseconds of a Go duration; throws Go's message for anything else. */
export function parseGoDuration(text: string): number {
  const duration = parseDuration(text);
  if (!duration.ok) throw new Error(duration.error);
  return duration.ns / 1e6;
}

const multiples: Readonly<Record<string, number>> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

/** go-units RAMInBytes: bytes of `512m`, `5GB`, `1.5GiB`, `100`. */
export function parseMemBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (match === null) throw new Error(`invalid size: '${text}'`);
  return Math.trunc(Number.parseFloat(match[1]!) * (multiples[(match[2] ?? '').toLowerCase()] ?? 1));
}

/** A size, or `N%` of a disk of `diskTotal` bytes (rounded up to whole GB as BuildKit does). */
export function parseDiskSpace(text: string, share: (percent: number) => number): number {
  const percent = /^(\d+)%$/.exec(text.trim());
  if (percent !== null) return share(Number(percent[1]));
  return parseMemBytes(text.trim());
}
