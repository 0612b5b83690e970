export * from './batch-analytics-stack';
