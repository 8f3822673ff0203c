// Docker's display forms (github.com/docker/go-units and the CLI's formatter), so the columns read the same.

/** `units.HumanDuration`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "5 minutes ago", or "N/A" for an image without a creation time (Docker's zero time). */
export function createdAgo(created: string | undefined, now: number = Date.now()): string {
  const time = created === undefined ? Number.NaN : Date.parse(created);
  if (Number.isNaN(time) || time <= 0) return 'N/A';
  return `${humanDuration(now - time)} ago`;
}

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** `units.HumanSizeWithPrecision(size, precision)`: decimal units, three significant digits (`%.3g`) by default. */
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < decimalUnits.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${formatG(size, precision)}${decimalUnits[unit]}`;
}

/** Go's `%.<p>g` for the non-negative values below 1000 that humanSize produces. */
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const text = value.toPrecision(precision);
  if (text.includes('e')) return Number(text).toString();
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** The 12 hex digits Docker shows for an ID. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The CLI's `Ellipsis`: cut to `max` characters, the last one replaced by `…`. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return chars.slice(0, max).join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}
