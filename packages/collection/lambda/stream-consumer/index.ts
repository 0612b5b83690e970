import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConsumedRecord, createStreamHandler } from './consumer';

/**
 * Default processor of the StreamConsumer construct: logs each record's id, partition key
 * and size (a lab consumer). Replace it with your own entry file built on createStreamHandler.
 */
async function logRecord(record: ConsumedRecord): Promise<void> {
  console.log(JSON.stringify({ message: 'record', id: record.id, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber, bytes: record.data.length }));
}

export const handler = createStreamHandler({
  process: logRecord,
  client: new DynamoDBClient({}),
  tableName: process.env.SEEN_TABLE_NAME ?? '',
  ttlSeconds: Number(process.env.SEEN_TTL_SECONDS ?? 604800),
  idField: process.env.ID_FIELD ?? 'recordId',
});
