export * from './clickstream-stack';
