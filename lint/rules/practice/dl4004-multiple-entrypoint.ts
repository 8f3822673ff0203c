import { repeatedInStage } from './repeated-in-stage.js';

export const dl4004 = repeatedInStage(
  'DL4004',
  'entrypoint',
  'error',
  'Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect',
);
