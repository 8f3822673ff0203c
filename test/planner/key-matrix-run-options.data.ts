// The edit matrix of `--add-host`, `--shm-size` and `--ulimit`, keyed as BuildKit's ExecOp.CacheMap keys them: a
// host by its name (in order), never its address; the size of the /dev/shm mount; every ulimit. Steps: s: 0 COPY
// a, 1 RUN one, 2 COPY b, 3 RUN two; other: 0 COPY a (no RUN: never changes).

import type { Scenario } from './helpers/scenario.js';
import type { KeyEdit } from './key-matrix.data.js';

const db = { name: 'db', ip: '10.0.0.5' };
const cache = { name: 'cache', ip: '10.0.0.7' };
const nofile = { name: 'nofile', soft: 1024, hard: 2048 };

export const RUN_OPTIONS_SCENARIO: Scenario = {
  dockerfile: 'FROM busybox AS other\nCOPY a /a\n\nFROM busybox AS s\nCOPY a /a\nRUN one\nCOPY b /b\nRUN two\n',
  files: { a: { content: 'a\n' }, b: { content: 'b\n' } },
  images: { busybox: { config: { Env: ['PATH=/bin'] } } },
  run: { extraHosts: [db], shmSize: 2 ** 30, ulimits: [nofile] },
};

const RUN_AND_AFTER = ['s.1-3'];

export const RUN_OPTION_EDITS: readonly KeyEdit[] = [
  {
    name: 'another address for an --add-host',
    run: { ...base(), extraHosts: [{ name: 'db', ip: '10.0.0.6' }] },
    changed: [],
  },
  {
    name: 'host-gateway for an --add-host',
    run: { ...base(), extraHosts: [{ name: 'db', ip: '127.0.0.1' }] },
    changed: [],
  },
  {
    name: 'another name for an --add-host',
    run: { ...base(), extraHosts: [{ ...db, name: 'db2' }] },
    changed: RUN_AND_AFTER,
  },
  { name: 'one more --add-host', run: { ...base(), extraHosts: [db, cache] }, changed: RUN_AND_AFTER },
  { name: 'the same --add-host twice', run: { ...base(), extraHosts: [db, db] }, changed: RUN_AND_AFTER },
  { name: 'no --add-host', run: { ...base(), extraHosts: [] }, changed: RUN_AND_AFTER },
  { name: 'another --shm-size', run: { ...base(), shmSize: 2 ** 29 }, changed: RUN_AND_AFTER },
  { name: 'no --shm-size', run: { ...base(), shmSize: 0 }, changed: RUN_AND_AFTER },
  { name: 'another soft --ulimit', run: { ...base(), ulimits: [{ ...nofile, soft: 512 }] }, changed: RUN_AND_AFTER },
  { name: 'another hard --ulimit', run: { ...base(), ulimits: [{ ...nofile, hard: 4096 }] }, changed: RUN_AND_AFTER },
  { name: 'no --ulimit', run: { ...base(), ulimits: [] }, changed: RUN_AND_AFTER },
];

function base(): NonNullable<Scenario['run']> {
  return RUN_OPTIONS_SCENARIO.run ?? {};
}
