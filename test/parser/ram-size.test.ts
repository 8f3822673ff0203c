import { describe, expect, it } from 'vitest';
import { ramInBytes } from '../../parser/index.js';

describe("ramInBytes: docker/go-units' RAMInBytes (a tmpfs mount's size)", () => {
  it.each([
    ['100', 100],
    ['64m', 64 * 1024 ** 2],
    ['64M', 64 * 1024 ** 2],
    ['1.5g', 1.5 * 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['512 kb', 512 * 1024],
    ['2t', 2 * 1024 ** 4],
    ['1p', 1024 ** 5],
    ['10b', 10],
    ['.5k', 512],
    ['1e3', 1000],
    ['1 ', 1],
  ])('%s → %d bytes', (text, bytes) => {
    expect(ramInBytes(text)).toBe(bytes);
  });

  it.each(['abc', '', 'k', '-1m', '1x', '1kk', '1kib2', '1bb', '1  m', '1mbit'])('refuses %j', (text) => {
    expect(ramInBytes(text)).toBeNull();
  });
});
