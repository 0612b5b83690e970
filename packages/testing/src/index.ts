export * from './app';
export * from './nag';
export * from './normalize';
export * from './errors';
export * from './asl';
export * from './template-resolver';
export * from './access';
export * from './tokens';
