export * from './warehouse-stack';
