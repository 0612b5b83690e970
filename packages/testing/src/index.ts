export * from './app';
export * from './nag';
export * from './normalize';
export * from './errors';
export * from './asl';
