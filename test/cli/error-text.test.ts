// The error box of a failed build as docker build (BuildKit, buildx) prints it; expected texts from docker build.
import { describe, expect, it } from 'vitest';
import { renderBuildError } from '../../cli/commands/build/error-text.js';
import { BuildError } from '../../executor/index.js';

const dockerfile = 'FROM debian:bookworm\nRUN echo ok\nRUN set -e; \\\n  echo step; \\\n  false\nCMD ["x"]\n';

describe('renderBuildError', () => {
  it("names the step by its progress name and marks every line of a multi-line instruction, as BuildKit's Source.Print", () => {
    const error = new BuildError('process "/bin/sh -c set -e;   echo step;   false" did not complete successfully', {
      line: 3,
      endLine: 5,
      instruction: '[3/3] RUN set -e;   echo step;   false',
      outputTail: ['step'],
    });
    expect(renderBuildError(error, 'Dockerfile', dockerfile)).toBe(
      '------\n > [3/3] RUN set -e;   echo step;   false:\nstep\n------\n' +
        'Dockerfile:3\n--------------------\n' +
        '   2 |     RUN echo ok\n   3 | >>> RUN set -e; \\\n   4 | >>>   echo step; \\\n   5 | >>>   false\n' +
        '   6 |     CMD ["x"]\n--------------------\n' +
        'ERROR: failed to solve: process "/bin/sh -c set -e;   echo step;   false" did not complete successfully\n',
    );
  });

  it('gives a one-line instruction up to four lines around it, more after it at the start of the file', () => {
    const first = renderBuildError(new BuildError('boom', { line: 1 }), 'Dockerfile', dockerfile);
    expect(first).toBe(
      'Dockerfile:1\n--------------------\n' +
        '   1 | >>> FROM debian:bookworm\n   2 |     RUN echo ok\n   3 |     RUN set -e; \\\n' +
        '--------------------\nERROR: failed to solve: boom\n',
    );
    const last = renderBuildError(new BuildError('boom', { line: 6, endLine: 6 }), 'Dockerfile', dockerfile);
    expect(last).toBe(
      'Dockerfile:6\n--------------------\n' +
        '   4 |       echo step; \\\n   5 |       false\n   6 | >>> CMD ["x"]\n   7 |     \n' +
        '--------------------\nERROR: failed to solve: boom\n',
    );
  });
});
