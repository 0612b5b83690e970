export * from './limits';
export * from './backoff';
export * from './aggregation';
export * from './partition-keys';
export * from './producer';
export * from './client';
export * from './lab-records';
