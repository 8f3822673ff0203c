// EXPOSE's port specs as Docker's go-connections `nat.ParsePortSpec` reads them: `[ip:][hostPort:]port[/proto]`.
// Shared by lint (which reports the error) and the planner (which adds the ports to the image config), so the
// two can never disagree about what a build accepts.

export type PortSpec = { readonly ports: readonly string[] } | { readonly error: string };

/** Go's strconv.ParseUint(s, 10, 16): decimal digits only, at most 65535. */
function parseUint16(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value > 65535 ? null : value;
}

/** nat.ParsePortRange: `N` or `N-M` (anything after a second `-` is ignored, as in Go). */
function portRange(text: string): [number, number] | null {
  if (text === '') return null;
  if (!text.includes('-')) {
    const port = parseUint16(text);
    return port === null ? null : [port, port];
  }
  const parts = text.split('-');
  const start = parseUint16(parts[0]);
  const end = parseUint16(parts[1]);
  if (start === null || end === null || end < start) return null;
  return [start, end];
}

/** nat.SplitProtoPort: `80` → tcp, `80/` → tcp, `80/udp/x` → udp (extra parts ignored). */
function splitProtoPort(raw: string): [proto: string, port: string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function validIp(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(bare);
  const ipv6 = bare.includes(':') && /^[0-9a-fA-F:.]+$/.test(bare);
  return ipv4 || ipv6;
}

/** One EXPOSE entry: the exposed `port/proto` keys (ranges expanded), or Docker's error message. */
export function parsePortSpec(raw: string): PortSpec {
  const colon = raw.split(':');
  const n = colon.length;
  const ip = n >= 3 ? colon.slice(0, n - 2).join(':') : '';
  const hostPort = n >= 2 ? colon[n - 2] : '';
  const [proto, containerPort] = splitProtoPort(colon[n - 1]);
  if (ip !== '' && !validIp(ip)) return { error: `invalid IP address: ${ip}` };
  if (containerPort === '') return { error: `no port specified: ${raw}<empty>` };
  const container = portRange(containerPort);
  if (container === null) return { error: `invalid containerPort: ${containerPort}` };
  const host = hostPort === '' ? null : portRange(hostPort);
  if (hostPort !== '' && host === null) return { error: `invalid hostPort: ${hostPort}` };
  if (host !== null && container[1] - container[0] !== host[1] - host[0] && container[0] !== container[1]) {
    return { error: `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}` };
  }
  const lower = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(lower)) return { error: `invalid proto: ${proto}` };
  const ports: string[] = [];
  for (let p = container[0]; p <= container[1]; p++) ports.push(`${p}/${lower}`);
  return { ports };
}
