import { describe, expect, it } from 'vitest';
import { parse } from '../../parser/index.js';
import { copiesWholeContext } from '../../planner/index.js';

const copies = (dockerfile: string): boolean => copiesWholeContext(parse(dockerfile).ast);

describe('copiesWholeContext', () => {
  it.each([
    'FROM base\nCOPY . /app\n',
    'FROM base\nCOPY ./ /app/\n',
    'FROM base\nADD / /src\n',
    'FROM base\nCOPY a.txt ./. /app/\n',
    'FROM base\nCOPY --chown=1:1 --exclude=*.md . /app\n',
    'FROM base\nCOPY [".", "/app"]\n',
    'FROM base AS a\nRUN true\nFROM base\nCOPY --from=a /x /x\nCOPY . /app\n',
  ])('is true when a step copies the whole context: %j', (dockerfile) => {
    expect(copies(dockerfile)).toBe(true);
  });

  it.each([
    'FROM base\nCOPY src/ /app/src/\n',
    'FROM base\nCOPY * /app/\n',
    'FROM base\nCOPY $SRC /app\n',
    'FROM base AS a\nRUN true\nFROM base\nCOPY --from=a . /app\n',
    'FROM base\nRUN --mount=type=bind,target=/ctx ls /ctx\n',
    'FROM base\nCOPY <<EOF /app/x\nhi\nEOF\n',
    'FROM base\nWORKDIR .\n',
  ])('is false otherwise: %j', (dockerfile) => {
    expect(copies(dockerfile)).toBe(false);
  });
});
