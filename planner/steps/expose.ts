// EXPOSE: expanded port specs (`80`, `80/udp`, `8000-8002`) added to the config as `port/proto`.

import type { ExposeInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { checkFlags, expandWordNode, type StepDraft } from './common.js';

export function planExpose(ctx: StepContext, instr: ExposeInstruction): StepDraft {
  checkFlags(instr, []);
  if (instr.ports.length === 0)
    throw new PlanError('missing-arguments', 'EXPOSE requires at least one argument', instr.range);
  const ports: string[] = [];
  for (const word of instr.ports) {
    for (const spec of expandWordNode(ctx, word)
      .split(/\s+/)
      .filter((s) => s !== ''))
      ports.push(...portSpecs(spec, word.range));
  }
  const exposed: Record<string, object> = { ...(ctx.state.config.ExposedPorts ?? {}) };
  for (const port of ports) exposed[port] = {};
  ctx.state.config.ExposedPorts = exposed;
  const change = Object.fromEntries(ports.map((p) => [p, {}]));
  return {
    args: ports,
    inputs: [],
    operation: { type: 'config', change: { ExposedPorts: change } },
    configChange: { ExposedPorts: change },
  };
}

function portSpecs(spec: string, range: ExposeInstruction['range']): string[] {
  // An `ip:hostPort:containerPort` mapping keeps only the container port, as Docker's nat package.
  const mapping = spec.split(':');
  const [portPart, proto = 'tcp'] = mapping[mapping.length - 1].split('/');
  const match = /^(\d+)(?:-(\d+))?$/.exec(portPart);
  if (match === null || !['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) {
    throw new PlanError('invalid-port', `invalid containerPort: ${portPart}`, range);
  }
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (end < start || end > 65535) throw new PlanError('invalid-port', `invalid port range: ${portPart}`, range);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}
