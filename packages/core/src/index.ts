export { InvalidPropOptions } from './validation/validation-error';
export * from './validation/validate';
export * from './sandbox/sandbox';
export * from './compliance/nag';
export * from './capacity/kinesis-capacity';
export * from './capacity/dynamodb-capacity';
export * from './capacity/redshift-capacity';
export * from './capacity/search-capacity';
export * from './network/private-subnets';
