// Constructors for the error-as-value result of every expansion step.
import type { Outcome } from './types.js';

export const ok = (value: string): Outcome => ({ ok: true, value });
export const fail = (error: string): Outcome => ({ ok: false, error });
