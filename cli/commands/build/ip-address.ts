// IP addresses as Go reads and prints them (net.ParseIP, net.IP.String): BuildKit parses each `--add-host` address
// so and writes the printed form into /etc/hosts, so `db:0:0:0:0:0:0:0:1` becomes `::1	db` and
// `db:::ffff:10.0.0.5` becomes `10.0.0.5	db`.

/** The address in Go's printed form, or null when Go's net.ParseIP refuses it. */
export function canonicalIp(text: string): string | null {
  const v4 = ipv4Bytes(text);
  if (v4 !== null) return v4.join('.');
  const v6 = ipv6Groups(text);
  if (v6 === null) return null;
  // An IPv4-mapped address (::ffff:a.b.c.d) prints as IPv4, as net.IP.String does.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff].join('.');
  }
  return formatIpv6(v6);
}

/** Four decimal fields of 0-255 without leading zeros (Go 1.17 and later refuse `010.0.0.1`). */
function ipv4Bytes(text: string): number[] | null {
  const fields = text.split('.');
  if (fields.length !== 4) return null;
  const bytes: number[] = [];
  for (const field of fields) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(field) || Number(field) > 255) return null;
    bytes.push(Number(field));
  }
  return bytes;
}

/** Eight 16-bit groups: hex fields of 1-4 digits, one `::` standing for at least one group, an IPv4 tail. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (half: string, last: boolean): number[] | null => {
    if (half === '') return [];
    const fields = half.split(':');
    const groups: number[] = [];
    for (const [i, field] of fields.entries()) {
      if (last && i === fields.length - 1 && field.includes('.')) {
        const v4 = ipv4Bytes(field);
        if (v4 === null) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(field)) groups.push(Number.parseInt(field, 16));
      else return null;
    }
    return groups;
  };
  const head = parse(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1) return missing === 0 ? head : null;
  // `::` must stand for at least one group of zeros.
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

/** RFC 5952, as Go prints: the first longest run of two or more zero groups becomes `::`, hex in lower case. */
function formatIpv6(groups: readonly number[]): string {
  let start = -1;
  let length = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > length) {
      start = i;
      length = j - i;
    }
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16));
  if (start < 0) return hex(0, 8).join(':');
  return `${hex(0, start).join(':')}::${hex(start + length, 8).join(':')}`;
}
