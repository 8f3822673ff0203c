// The value forms docker's prune options take: Go durations (`time.ParseDuration`: `24h`, `1h30m`, `90s`) and
// go-units' RAMInBytes sizes (`512m`, `5GB`, `1.5gib`: binary multiples, case-insensitive), plus BuildKit's
// disk-space form `N%` (of the store's filesystem) for the collector's settings.

const durationUnits: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration; throws Go's message for anything else. */
export function parseGoDuration(text: string): number {
  const invalid = new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid;
  let total = 0;
  while (rest !== '') {
    const match = /^(\d*(?:\.\d*)?)([^\d.]+)/.exec(rest);
    if (match === null || match[1] === '' || match[1] === '.') throw invalid;
    const unit = durationUnits[match[2]!];
    if (unit === undefined) {
      throw new Error(
        /^[a-zµμ]+$/.test(match[2]!)
          ? `time: unknown unit ${JSON.stringify(match[2])} in duration ${JSON.stringify(text)}`
          : invalid.message,
      );
    }
    total += Number(match[1]) * unit;
    rest = rest.slice(match[0].length);
  }
  return sign * total;
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
