// The code of the context worker thread (context-worker.ts), as plain CommonJS evaluated in the
// worker: no file to locate, so it works from sources, from tsc output and from the bundle.
// `statOne` and `hashOne` mirror the calling thread's functions in context-job.ts (the file reading and
// hashing itself is hash-file.ts's `hashFile`, shared as text); tests compare both threads' results.
import { hashFileSource } from './hash-file.js';

/** Stat fields per path, in this order: mode, uid, gid, size, mtimeMs, ctimeMs, dev, ino, nlink, rdev. */
export const FIELDS = 10;
/** Header numbers per file to hash: mode, uid, gid, size. */
export const PARAMS = 4;
/** `mode` of a path whose lstat failed, `reads` of a file that could not be read. */
export const FAILED = -1;
/** Read buffer of each thread: a file that fits after its header is hashed in one call. */
export const READ_BUFFER = 1 << 20;

export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, fstatSync, lstatSync, openSync } = require('node:fs');
${hashFileSource}
// The read buffer, made on the first hash (a stat job needs none).
let buffer;
const readBuffer = () => (buffer ??= Buffer.allocUnsafe(${READ_BUFFER}));

function statOne(numbers, i, path) {
  const o = i * ${FIELDS};
  try {
    const st = lstatSync(path);
    numbers[o] = st.mode; numbers[o + 1] = st.uid; numbers[o + 2] = st.gid; numbers[o + 3] = st.size;
    numbers[o + 4] = st.mtimeMs; numbers[o + 5] = st.ctimeMs; numbers[o + 6] = st.dev;
    numbers[o + 7] = st.ino; numbers[o + 8] = st.nlink; numbers[o + 9] = st.rdev;
  } catch {
    numbers[o] = ${FAILED};
  }
}

// One path of a stat job that hashes (context-job.ts \`statAndHash\`): a path listed as a regular file is opened
// and fstat'ed, and hashed if it is one (\`hashed[i]\` = 1 if exactly the size fstat saw was read); others are lstat'ed.
function statAndHash(numbers, digests, hashed, opened, i, path, resetOwner) {
  const o = i * ${FIELDS};
  let fd = -1;
  if (opened && opened[i] === 1) {
    try {
      fd = openSync(path, hashFileIo.readNoFollow);
    } catch {}
  }
  if (fd < 0) {
    statOne(numbers, i, path);
    return;
  }
  try {
    const st = fstatSync(fd);
    numbers[o] = st.mode; numbers[o + 1] = st.uid; numbers[o + 2] = st.gid; numbers[o + 3] = st.size;
    numbers[o + 4] = st.mtimeMs; numbers[o + 5] = st.ctimeMs; numbers[o + 6] = st.dev;
    numbers[o + 7] = st.ino; numbers[o + 8] = st.nlink; numbers[o + 9] = st.rdev;
    if ((st.mode & 0o170000) !== 0o100000) return;
    const size = st.size;
    const buf = readBuffer();
    const length = writeFileHeader(buf, st.mode, resetOwner ? 0 : st.uid, resetOwner ? 0 : st.gid, size);
    const { hex, read } = hashOpenFile(hashFileIo, fd, length, size, buf);
    if (read === size) {
      digests.write(hex, i * 32, 32, 'hex');
      hashed[i] = 1;
    }
  } catch {
    // Left unhashed: the calling thread retries it one by one and reports the real error.
  } finally {
    closeSync(fd);
  }
}

function hashOne(numbers, digests, reads, i, path) {
  const p = i * ${PARAMS};
  const size = numbers[p + 3];
  try {
    const buf = readBuffer();
    const length = writeFileHeader(buf, numbers[p], numbers[p + 1], numbers[p + 2], size);
    const { hex, read } = hashFileAt(hashFileIo, path, length, size, buf);
    digests.write(hex, i * 32, 32, 'hex');
    reads[i] = read;
  } catch {
    reads[i] = ${FAILED};
  }
}

parentPort.on('message', (job) => {
  const list = job.paths.split('\\0');
  const counters = new Int32Array(job.claim);
  const numbers = new Float64Array(...job.numbers);
  const digests = job.digests && Buffer.from(...job.digests);
  const reads = job.reads && new Float64Array(...job.reads);
  const hashed = job.hashed && new Uint8Array(...job.hashed);
  const chunks = Math.ceil(list.length / job.chunk);
  for (let c = Atomics.add(counters, 0, 1); c < chunks; c = Atomics.add(counters, 0, 1)) {
    const end = Math.min(list.length, (c + 1) * job.chunk);
    for (let i = c * job.chunk; i < end; i++) {
      const path = job.prefix + list[i];
      if (job.kind === 'hash') hashOne(numbers, digests, reads, i, path);
      else {
        if (hashed) statAndHash(numbers, digests, hashed, job.opened, i, path, job.resetOwner);
        else statOne(numbers, i, path);
      }
    }
    Atomics.add(counters, 1, 1);
  }
  parentPort.postMessage(job.id);
});
`;
