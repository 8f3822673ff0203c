// Whether BuildKit names a build's steps by their stage (`[stage-1 2/2] COPY …`, `[build 3/5] RUN …`) or not
// (`[2/2] RUN …`): dockerfile2llb drops the stage names when the Dockerfile makes a single dispatch state
// (`if len(allDispatchStates.states) == 1 { stageName = "" }`). Every stage is one, built for the target or not, and
// so is each COPY --from / RUN --mount from= that names no stage (an image or a named context: an "unregistered"
// state), so `FROM a\nCOPY --from=alpine …` names its steps `[stage-0 …]`.

import { sourceReferences } from './graph.js';
import { findSourceStage, type StageDef } from './stages.js';

export function stepsNamedByStage(stages: readonly StageDef[]): boolean {
  if (stages.length !== 1) return stages.length > 1;
  return stages[0].instructions.some((instr) =>
    sourceReferences(instr).some((ref) => {
      try {
        return findSourceStage(stages, ref.from, ref.allowIndex, ref.range) === null;
      } catch {
        return false; // an index out of range fails the build on its own
      }
    }),
  );
}
