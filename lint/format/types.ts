import type { Finding } from '../types.js';

/** The findings of one file, with its text (for code frames). `file` is the path as given (or `-`). */
export interface FileFindings {
  readonly file: string;
  readonly text: string;
  readonly findings: readonly Finding[];
}
