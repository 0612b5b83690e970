// Constructs are exported here, one line per construct folder.
export * from './athena-dataset/athena-dataset-props';
export * from './athena-dataset/athena-dataset';
