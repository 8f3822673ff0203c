// The `created_by` of COPY and ADD for Dockerfiles as the planner plans them: BuildKit's dispatchCopy
// (frontend/dockerfile/dockerfile2llb/convert_copy.go) writes the expanded sources and destination of
// SourcesAndDest.Expand (quotes and escapes removed; the destination as written, not resolved against WORKDIR),
// `<<NAME` for a heredoc, and `--parents`, `--chown=` (expanded) and `--chmod=` before them. docker 20.10's
// builder gave the same words (without `--chown`, which current BuildKit adds).
import { describe, expect, it } from 'vitest';
import { createdBy } from '../../executor/build/history.js';
import { planOf, stepsOf } from '../planner/helpers/scenario.js';

const files = { 'a.txt': { content: 'a\n' }, 'a b': { content: 'ab\n' } };

async function historyOf(dockerfile: string): Promise<(string | null)[]> {
  const steps = stepsOf(await planOf(`FROM busybox\n${dockerfile}`, { files }));
  return steps.filter((s) => s.kind === 'copy' || s.kind === 'add').map(createdBy);
}

describe('COPY/ADD history', () => {
  it('records the destination and sources with variables expanded', async () => {
    const dockerfile = [
      'ARG DEST=/dst SRC=a.txt U=1 G=2 M=640',
      'ENV E=/envd',
      'COPY a.txt $DEST',
      'COPY a.txt ${DEST}2/sub/',
      'COPY $SRC /s',
      'COPY --chown=$U:$G --chmod=$M a.txt /c',
      'ADD --chown=${U} $SRC $E',
      'COPY ["$SRC", "/j/"]',
      '',
    ].join('\n');
    expect(await historyOf(dockerfile)).toEqual([
      'COPY a.txt /dst # buildkit',
      'COPY a.txt /dst2/sub/ # buildkit',
      'COPY a.txt /s # buildkit',
      'COPY --chown=1:2 --chmod=640 a.txt /c # buildkit',
      'ADD --chown=1 a.txt /envd # buildkit',
      'COPY a.txt /j/ # buildkit',
    ]);
  });

  it('records the words with quotes and escapes removed', async () => {
    const dockerfile = `COPY 'a.txt' "/q"\nCOPY a\\.txt /esc\nCOPY a.txt \\\n   /cont\nCOPY ["a b", "/with space/"]\n`;
    expect(await historyOf(dockerfile)).toEqual([
      'COPY a.txt /q # buildkit',
      'COPY a.txt /esc # buildkit',
      'COPY a.txt /cont # buildkit',
      'COPY a b /with space/ # buildkit',
    ]);
  });

  it('records a relative destination as written, expanded but not joined to WORKDIR', async () => {
    const dockerfile = 'WORKDIR /app\nARG SUB=conf\nCOPY a.txt .\nCOPY a.txt $SUB/\nCOPY <<EOF ${SUB}/x\nhi\nEOF\n';
    expect(await historyOf(dockerfile)).toEqual([
      'COPY a.txt . # buildkit',
      'COPY a.txt conf/ # buildkit',
      'COPY <<EOF conf/x # buildkit',
    ]);
  });
});
