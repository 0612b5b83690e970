export * from './data-key/data-key-props';
export * from './data-key/data-key';
export * from './cross-account-role/cross-account-role-props';
export * from './cross-account-role/cross-account-role';
export * from './hsm-cluster/hsm-cluster-props';
export * from './hsm-cluster/hsm-cluster';
export * from './administrator-role/administrator-role';
