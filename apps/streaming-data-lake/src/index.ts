export * from './streaming-data-lake-stack';
