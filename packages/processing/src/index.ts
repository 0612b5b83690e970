// Constructs are exported here, one line per construct folder.
export * from './transient-emr-cluster/emr-script';
export * from './transient-emr-cluster/transient-emr-cluster-props';
export * from './transient-emr-cluster/transient-emr-cluster';
