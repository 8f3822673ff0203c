// The `created_by` text of each history entry, as BuildKit's Dockerfile frontend writes it: config
// instructions are recorded without a layer, filesystem steps carry the ` # buildkit` suffix, RUN
// lists the effective build args as `|N k=v …`, and Go's `%q`/`%v` formatting of lists is kept.
import type { PlanStep } from '../../planner/index.js';

const goQuoted = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
const goList = (list: readonly string[]): string => `[${list.join(' ')}]`;

/** Words after the keyword with `--flags` removed, as written (BuildKit records COPY/ADD that way). */
function writtenWords(step: PlanStep): string[] {
  const words = step.instruction.trim().split(/\s+/).slice(1);
  return words.filter((w) => !w.startsWith('--'));
}

function copyText(step: PlanStep, keyword: string): string {
  const written = writtenWords(step);
  const words = written.some((w) => w.includes('$')) || written.length < 2 ? [...step.args] : written;
  return `${keyword} ${words.join(' ')}`;
}

function runText(step: PlanStep): string {
  const op = step.operation;
  const argv = op.type === 'run' ? op.argv : step.args;
  const args = step.buildArgs;
  const prefix = args.length === 0 ? '' : `|${args.length} ${args.join(' ')} `;
  return `RUN ${prefix}${argv.join(' ')}`;
}

function exposeText(step: PlanStep): string {
  const ports = step.args.map((p) => (p.includes('/') ? p : `${p}/tcp`)).sort();
  return `EXPOSE ${goList(ports)}`;
}

/** `created_by` for a step, or null when the step records no history (nothing to record). */
export function createdBy(step: PlanStep): string | null {
  const suffix = step.layer ? ' # buildkit' : '';
  switch (step.kind) {
    case 'run':
      return `${runText(step)}${suffix}`;
    case 'copy':
      return `${copyText(step, 'COPY')}${suffix}`;
    case 'add':
      return `${copyText(step, 'ADD')}${suffix}`;
    case 'workdir':
      return `WORKDIR ${step.args[0] ?? '/'}${suffix}`;
    case 'env':
      return `ENV ${step.args.join(' ')}`;
    case 'label':
      return `LABEL ${step.args.join(' ')}`;
    case 'arg':
      return `ARG ${step.args.join(' ')}`;
    case 'expose':
      return exposeText(step);
    case 'cmd':
      return `CMD ${goQuoted(step.args)}`;
    case 'entrypoint':
      return `ENTRYPOINT ${goQuoted(step.args)}`;
    case 'shell':
      return `SHELL ${goList(step.args)}`;
    case 'volume':
      return `VOLUME ${goList(step.args)}`;
    case 'user':
    case 'stopsignal':
    case 'maintainer':
      return `${step.kind.toUpperCase()} ${step.args.join(' ')}`;
    case 'onbuild':
      return `ONBUILD ${step.args.join(' ')}`;
    case 'healthcheck':
      return `HEALTHCHECK ${step.instruction.trim().split(/\s+/).slice(1).join(' ')}`;
    default:
      return step.layer || step.operation.type === 'config' ? `${step.instruction.trim()}${suffix}` : null;
  }
}
