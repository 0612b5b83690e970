export * from './stream-ingestion/stream-capacity';
export { TimeGranularity, PartitionField, PartitioningOptions } from './stream-ingestion/partitioning';
export * from './stream-ingestion/stream-ingestion-props';
export * from './stream-ingestion/stream-ingestion';
export * from './secure-queue/secure-queue';
export * from './device-ingestion-rule/device-ingestion-rule';
export * from './kafka-cluster/kafka-cluster';
export * from './database-replication/database-replication';
