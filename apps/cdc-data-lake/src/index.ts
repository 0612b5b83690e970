export * from './cdc-data-lake-stack';
export * from './cdc-source';
export * from './lab-source-database';
export * from './orders-schema';
export * from './streaming-alternative';
export * from './stop-replication';
