// Dockerfile language facts the linter and the planner share (parser/language/), pinned exactly.
import { describe, expect, it } from 'vitest';
import {
  INSTRUCTION_NAMES,
  isMountType,
  isValidStageName,
  MOUNT_OPTION_KEYS,
  MOUNT_SHARING_MODES,
  MOUNT_TYPES,
  parseGoBool,
} from '../../parser/index.js';

describe('isValidStageName', () => {
  it('accepts a letter followed by letters, digits, -, _ and ., in any case', () => {
    expect(['build', 'Build', 'a', 'b-1_x.y', 'STAGE2'].map(isValidStageName)).toEqual([true, true, true, true, true]);
  });

  it('rejects a leading digit or symbol, other symbols and the empty name', () => {
    expect(['1build', '-x', '_x', 'a/b', 'a:b', 'a b', 'a$', ''].map(isValidStageName)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('parseGoBool', () => {
  it("reads exactly Go's strconv.ParseBool spellings", () => {
    expect(['1', 't', 'T', 'TRUE', 'true', 'True'].map(parseGoBool)).toEqual([true, true, true, true, true, true]);
    expect(['0', 'f', 'F', 'FALSE', 'false', 'False'].map(parseGoBool)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['', 'yes', 'no', 'tRUE', ' true', '2'].map(parseGoBool)).toEqual([null, null, null, null, null, null]);
  });
});

describe('RUN --mount vocabulary', () => {
  it('lists the mount types and accepts only those (lower case)', () => {
    expect(MOUNT_TYPES).toEqual(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
    expect(['bind', 'ssh', 'Bind', 'volume', ''].map(isMountType)).toEqual([true, true, false, false, false]);
  });

  it("lists sharing modes and option keys in BuildKit's order", () => {
    expect(MOUNT_SHARING_MODES).toEqual(['shared', 'private', 'locked']);
    expect(MOUNT_OPTION_KEYS.join(',')).toBe(
      'type,from,source,target,readonly,id,sharing,required,mode,uid,gid,src,dst,ro,rw,readwrite',
    );
  });
});

describe('INSTRUCTION_NAMES', () => {
  it('lists the 18 instructions BuildKit dispatches', () => {
    expect(INSTRUCTION_NAMES.join(' ')).toBe(
      'ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR',
    );
  });
});
