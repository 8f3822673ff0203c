// Steps tsbuild cannot run as written fail the build before any step runs, with BuildKit's words, rather
// than running differently from what the Dockerfile asks: a privileged step (`--security=insecure`) in a build
// that did not grant the security.insecure entitlement (`--allow`), and a required CDI device (`RUN --device`:
// tsbuild registers no CDI devices, so none can be injected). An optional device is left out, as BuildKit leaves
// out an optional device it does not know, with a warning here so that the missing device does not go unnoticed.
import type { Diagnostic, Plan } from '../../planner/index.js';
import { type Entitlement, insecureNotAllowed } from './entitlements.js';
import { BuildError } from './errors.js';

export function refuseUnrunnableSteps(
  thePlan: Plan,
  allowed: readonly Entitlement[],
  onWarning: ((d: Diagnostic) => void) | undefined,
): void {
  for (const stage of thePlan.stages) {
    for (const step of stage.steps) {
      const op = step.operation;
      if (op.type !== 'run') continue;
      const where = { line: step.line, instruction: step.instruction.trim() };
      if (op.security === 'insecure' && !allowed.includes('security.insecure')) {
        throw new BuildError(insecureNotAllowed, where);
      }
      for (const device of op.devices) {
        if (device.required)
          throw new BuildError(`required device ${JSON.stringify(device.name)} is not registered`, where);
        onWarning?.({
          severity: 'warning',
          code: 'device-not-registered',
          message: `optional device ${JSON.stringify(device.name)} is not registered: the step runs without it`,
          range: step.range,
        });
      }
    }
  }
}
