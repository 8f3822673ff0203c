import { repeatedInStage } from './repeated-in-stage.js';

export const dl4003 = repeatedInStage(
  'DL4003',
  'cmd',
  'warning',
  'Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect',
);
