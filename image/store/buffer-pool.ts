// 1 MiB buffers reused across a process's blob writes and layer reads. Memory a process touches for the first
// time costs a page fault per 4 KiB. How much varies with the VM: 22 µs each (5.6 ms per MiB, more than reading,
// hashing and writing that MiB together) on the project's VMs when this pool was made, where a 20 MB layer read
// into fresh buffers spent 110 of its 200 ms commit in page faults; 0.6 ms per MiB on the VM of stop 22. Buffers
// taken from here are faulted in once per process either way.
//
// Taking never waits: when every kept buffer is out (concurrent blob writes), a fresh one is made, and kept on
// return while fewer than `maxKept` are kept.

export const pooledBufferBytes = 1 << 20;
const maxKept = 8;
const kept: Buffer[] = [];

/** A `pooledBufferBytes` buffer whose content is garbage; give it back with `giveBackBuffer` when done with it. */
export function takeBuffer(): Buffer {
  return kept.pop() ?? Buffer.allocUnsafeSlow(pooledBufferBytes);
}

/** Returns a buffer from `takeBuffer`: nothing may read or write it afterwards. */
export function giveBackBuffer(buffer: Buffer): void {
  if (kept.length < maxKept && buffer.length === pooledBufferBytes && !kept.includes(buffer)) kept.push(buffer);
}

/**
 * Faults in one more kept buffer while fewer than `target` are kept; false when there is nothing to do. For a caller
 * that has idle main-thread time before a blob write (a RUN step waiting for its container), one buffer per call
 * (~6 ms of page faults here) so the event loop stays responsive.
 */
export function warmPooledBuffer(target: number): boolean {
  if (kept.length >= Math.min(target, maxKept)) return false;
  const buffer = Buffer.allocUnsafeSlow(pooledBufferBytes);
  buffer.fill(0);
  kept.push(buffer);
  return true;
}
