// EXPOSE: expanded port specs (`80`, `80/udp`, `8000-8002`) added to the config as `port/proto`.

import { type ExposeInstruction, parsePortSpec } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planExpose(ctx: StepContext, instr: ExposeInstruction): StepDraft {
  const ports: string[] = [];
  // BuildKit's parseExpose sorts the words as written (Go's sort.Strings, bytewise) before expanding them: the
  // order of `args`, which the history shows (`EXPOSE ${P}/tcp 443` gives `[8080/tcp 443/tcp]`).
  const written = [...instr.ports].sort((a, b) => compareBytes(a.value, b.value));
  for (const word of written) {
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

function portSpecs(spec: string, range: ExposeInstruction['range']): readonly string[] {
  const parsed = parsePortSpec(spec);
  if ('error' in parsed) throw new PlanError('invalid-port', parsed.error, range);
  return parsed.ports;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
