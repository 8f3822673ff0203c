// IP addresses as Go reads and prints them (net.ParseIP, net.IP.String): BuildKit parses each `--add-host` address
// so and writes the printed form into /etc/hosts, so `db:0:0:0:0:0:0:0:1` becomes `::1	db` and
// `db:::ffff:10.0.0.5` becomes `10.0.0.5	db`. Node's parsers do the work: `isIPv4` refuses what Go 1.17+ refuses
// (`010.0.0.1`), and the URL parser prints IPv6 in RFC 5952 form, as Go does; only the IPv4-mapped form differs.
import { isIPv4 } from 'node:net';

/** The address in Go's printed form, or null when Go's net.ParseIP refuses it. */
export function canonicalIp(text: string): string | null {
  if (isIPv4(text)) return text;
  // Only address characters: no zone (Go refuses `fe80::1%eth0`), nothing the URL parser would read as a path.
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let printed: string;
  try {
    printed = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) prints as IPv4, as net.IP.String does.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(printed);
  if (mapped === null) return printed;
  const [high, low] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
