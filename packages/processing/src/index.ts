// Constructs are exported here, one line per construct folder.
export * from './transient-emr-cluster/emr-script';
export * from './transient-emr-cluster/transient-emr-cluster-props';
export * from './transient-emr-cluster/transient-emr-cluster';
export * from './emr-serverless-job/emr-serverless-job-props';
export * from './emr-serverless-job/emr-serverless-job';
export * from './glue-crawler/glue-security-configuration';
export * from './glue-crawler/data-lake-crawler-props';
export * from './glue-crawler/data-lake-crawler';
export * from './scheduled-pipeline/pipeline-activity';
export * from './scheduled-pipeline/scheduled-pipeline-props';
export * from './scheduled-pipeline/scheduled-pipeline';
export * from './glue-etl-job/data-lake-etl-job-props';
export * from './glue-etl-job/data-lake-etl-job';
export * from './glue-etl-job/catalog-and-transform-workflow';
export * from './secure-data-lake/lake-formation-types';
export * from './secure-data-lake/secure-data-lake-props';
export * from './secure-data-lake/secure-data-lake';
