export * from './data-key/data-key-props';
export * from './data-key/data-key';
export * from './alarm-topic/alarm-topic';
