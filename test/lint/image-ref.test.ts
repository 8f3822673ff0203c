import { describe, expect, it } from 'vitest';
import { normalizedRepository } from '../../lint/image-ref.js';

describe('normalizedRepository: the path distribution judges for case', () => {
  it.each([
    ['Alpine', 'library/Alpine'],
    ['Alpine:3.19', 'library/Alpine'],
    ['Alpine@sha256:abc', 'library/Alpine'],
    ['team/App', 'team/App'],
    ['docker.io/Alpine', 'library/Alpine'],
    ['index.docker.io/x/Y:1', 'x/Y'],
    ['localhost/App', 'App'],
    ['my.registry:5000/Team/app', 'Team/app'],
    ['Registry/app', 'app'],
  ])('%s → %s', (reference, repository) => {
    expect(normalizedRepository(reference)).toBe(repository);
  });
});
