import type { Rule } from '../../types.js';
import { expandWord } from '../../words.js';
import { forEachExposePart } from '../expose-parts.js';
import { referenceUrl } from '../meta.js';

function portRange(text: string): [number, number] | null {
  const parts = text.split('-');
  if (parts.length > 2 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 65535)) return null;
  const start = Number(parts[0]);
  const end = Number(parts[parts.length - 1]);
  return end < start ? null : [start, end];
}

/** BuildKit's parsePortSpec for one EXPOSE entry: the error message, or null. */
export function portSpecProblem(raw: string): string | null {
  const parts = raw.split(':');
  const container = parts[parts.length - 1];
  const host = parts.length >= 2 ? parts[parts.length - 2] : '';
  const ip = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  const slash = container.indexOf('/');
  const port = slash < 0 ? container : container.slice(0, slash);
  const proto = slash < 0 ? '' : container.slice(slash + 1).toLowerCase();
  if (port === '') return `no port specified: ${raw}<empty>`;
  if (!['', 'tcp', 'udp', 'sctp'].includes(proto)) return `invalid proto: ${proto}`;
  if (ip !== '') {
    const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
    const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(bare);
    const ipv6 = bare.includes(':') && /^[0-9a-fA-F:.]+$/.test(bare);
    if (!ipv4 && !ipv6) return `invalid IP address: ${ip}`;
  }
  const containerPorts = portRange(port);
  if (!containerPorts) return `invalid containerPort: ${port}`;
  if (host !== '') {
    const hostPorts = portRange(host);
    if (!hostPorts) return `invalid hostPort: ${host}`;
    const single = containerPorts[0] === containerPorts[1];
    if (containerPorts[1] - containerPorts[0] !== hostPorts[1] - hostPorts[0] && !single) {
      return `invalid ranges specified for container and host Ports: ${port} and ${host}`;
    }
  }
  return null;
}

export const invalidExpose: Rule = {
  id: 'invalid-expose',
  group: 'build',
  description: 'EXPOSE takes port numbers or ranges with an optional protocol',
  url: referenceUrl('expose'),
  severity: 'error',
  check({ model, report }) {
    forEachExposePart(model, ({ instruction, word, text, start, lookup }) => {
      const expansion = expandWord(text, lookup, model.ast.escapeChar);
      // A port from an undefined variable is the build's business (it may come from --build-arg).
      if (expansion.references.some((r) => !r.defined)) return;
      for (const port of expansion.value.split(/\s+/).filter((p) => p !== '')) {
        const problem = portSpecProblem(port);
        if (problem) report(model.sub(word.range, word.value, start, start + text.length), problem, instruction);
      }
    });
  },
};
