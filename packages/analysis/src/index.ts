// Constructs are exported here, one line per construct folder.
export * from './search-domain/search-domain-props';
export * from './search-domain/search-domain';
export * from './stream-analytics-application/flink-code';
export * from './stream-analytics-application/stream-analytics-application-props';
export * from './stream-analytics-application/stream-analytics-application';
export * from './athena-workgroup/analytics-workgroup-props';
export * from './athena-workgroup/analytics-workgroup';
export * from './redshift-table/table-definition';
export * from './staging-upsert/upsert-sql';
export * from './staging-upsert/upsert-limits';
export * from './redshift-warehouse/redshift-warehouse-props';
export * from './redshift-warehouse/i-redshift-warehouse';
export * from './redshift-warehouse/redshift-warehouse';
export * from './staging-upsert/staging-upsert-props';
export * from './staging-upsert/staging-upsert';
