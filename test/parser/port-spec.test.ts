import { describe, expect, it } from 'vitest';
import { parsePortSpec } from '../../parser/index.js';

// Expected values follow go-connections' nat.ParsePortSpec, which both BuildKit's EXPOSE and its lint use.
describe('parsePortSpec', () => {
  it.each([
    ['80', ['80/tcp']],
    ['80/udp', ['80/udp']],
    ['80/UDP', ['80/udp']],
    ['80/', ['80/tcp']],
    ['80/tcp/extra', ['80/tcp']],
    ['8000-8002/sctp', ['8000/sctp', '8001/sctp', '8002/sctp']],
    ['0080', ['80/tcp']],
    ['8080:80', ['80/tcp']],
    ['127.0.0.1:8080:80/udp', ['80/udp']],
    ['8000-8001:80', ['80/tcp']],
    ['1-2-3', ['1/tcp', '2/tcp']],
  ])('%s exposes %j', (raw, ports) => {
    expect(parsePortSpec(raw)).toEqual({ ports });
  });

  it.each([
    ['', 'no port specified: <empty>'],
    ['/tcp', 'no port specified: /tcp<empty>'],
    ['80/tcpx', 'invalid proto: tcpx'],
    ['80/TCPX', 'invalid proto: TCPX'],
    ['abc', 'invalid containerPort: abc'],
    ['65536', 'invalid containerPort: 65536'],
    ['90-80', 'invalid containerPort: 90-80'],
    ['x:80', 'invalid hostPort: x'],
    ['300.1.1.1:80:80', 'invalid IP address: 300.1.1.1'],
    ['8000-8001:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001'],
    // The IP is checked before the port, as in Go.
    ['bad:1:x', 'invalid IP address: bad'],
  ])('%s is rejected: %s', (raw, error) => {
    expect(parsePortSpec(raw)).toEqual({ error });
  });
});
