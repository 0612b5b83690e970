export * from './flink-job';
export * from './real-time-analytics-stack';
