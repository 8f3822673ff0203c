import { repeatedInStage } from './repeated-in-stage.js';

export const dl3012 = repeatedInStage('DL3012', 'healthcheck', 'error', 'Multiple `HEALTHCHECK` instructions');
