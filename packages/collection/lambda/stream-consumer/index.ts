import { streamHandler } from './runtime';
import type { ConsumedRecord } from './types';

/**
 * Default processor of the StreamConsumer construct: logs each record's id, partition key
 * and size (a lab consumer). Bring your own with `streamHandler` from
 * `@analytics-patterns/collection/runtime/stream-consumer`.
 */
async function logRecord(record: ConsumedRecord): Promise<void> {
  console.log(JSON.stringify({ message: 'record', id: record.id, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber, bytes: record.data.length }));
}

export const handler = streamHandler(logRecord);
