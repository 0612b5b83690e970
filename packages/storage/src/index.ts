export * from './access-log-bucket/access-log-bucket';
export * from './secure-bucket/secure-bucket-props';
export * from './secure-bucket/secure-bucket';
export * from './data-lake-storage/data-lake-storage-props';
export * from './data-lake-storage/data-lake-storage';
