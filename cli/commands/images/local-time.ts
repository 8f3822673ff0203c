// Go's forms of a time in the local zone, as docker's formatters print them: Time.String() for `docker images`'
// CreatedAt ("2020-01-02 03:04:05 +0000 UTC") and RFC 3339 for `docker history`'s ("2020-01-02T03:04:05Z").

const two = (n: number) => String(n).padStart(2, '0');

function parts(ms: number): { date: string; time: string; offset: number } {
  const d = new Date(ms);
  const year = d.getFullYear();
  const date = `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return {
    date,
    time: `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`,
    offset: -d.getTimezoneOffset(),
  };
}

const offsetText = (minutes: number, colon: boolean) =>
  `${minutes < 0 ? '-' : '+'}${two(Math.trunc(Math.abs(minutes) / 60))}${colon ? ':' : ''}${two(Math.abs(minutes) % 60)}`;

/** The zone's abbreviation; where the platform knows none (`GMT+1`), Go's numeric form (`+01`). */
function zoneName(ms: number, offset: number): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (offset === 0 && /^(UTC|Etc\/UTC|Etc\/GMT|GMT|Universal|Zulu)$/.test(zone)) return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((part) => part.type === 'timeZoneName')?.value;
  if (name !== undefined && /^[A-Z]{3,5}$/.test(name)) return name;
  return offset % 60 === 0 ? offsetText(offset, false).slice(0, 3) : offsetText(offset, false);
}

/** time.Unix(s, 0).String(), whole seconds. */
export function goTimeString(ms: number): string {
  const { date, time, offset } = parts(ms);
  return `${date} ${time} ${offsetText(offset, false)} ${zoneName(ms, offset)}`;
}

/** time.Unix(s, 0).Format(time.RFC3339). */
export function goRfc3339(ms: number): string {
  const { date, time, offset } = parts(ms);
  return `${date}T${time}${offset === 0 ? 'Z' : offsetText(offset, true)}`;
}
