import { deaggregate } from '@analytics-patterns/producer';
import { BatchGetItemCommand, BatchWriteItemCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { BatchItemFailures, BatchStats, ConsumedRecord, CreateStreamHandler, StreamHandlerOptions } from './types';

export type * from './types';

const GET_CHUNK = 100; // BatchGetItem: at most 100 keys
const WRITE_CHUNK = 25; // BatchWriteItem: at most 25 requests
const MAX_ROUNDS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids already in the seen-set table (consistent reads; unprocessed keys are retried). */
async function loadSeen(options: StreamHandlerOptions, ids: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i += GET_CHUNK) {
    let keys: Array<Record<string, any>> = ids.slice(i, i + GET_CHUNK).map((id) => ({ recordId: { S: id } }));
    for (let round = 0; keys.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 0) await sleep(2 ** round * 25);
      const out = await options.client.send(new BatchGetItemCommand({
        RequestItems: { [options.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'recordId' } },
      }));
      for (const item of out.Responses?.[options.tableName] ?? []) seen.add(item.recordId.S!);
      keys = (out.UnprocessedKeys?.[options.tableName]?.Keys as typeof keys | undefined) ?? [];
    }
  }
  return seen;
}

/** Adds ids to the seen-set table with their expiry. */
async function markSeen(options: StreamHandlerOptions, marks: Array<{ id: string; sequenceNumber: string }>): Promise<void> {
  const expiresAt = Math.floor((options.now ?? Date.now)() / 1000) + options.ttlSeconds;
  for (let i = 0; i < marks.length; i += WRITE_CHUNK) {
    let requests: WriteRequest[] = marks.slice(i, i + WRITE_CHUNK).map((m) => ({
      PutRequest: { Item: { recordId: { S: m.id }, expiresAt: { N: String(expiresAt) }, sequenceNumber: { S: m.sequenceNumber } } },
    }));
    for (let round = 0; requests.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 0) await sleep(2 ** round * 25);
      const out = await options.client.send(new BatchWriteItemCommand({ RequestItems: { [options.tableName]: requests } }));
      requests = out.UnprocessedItems?.[options.tableName] ?? [];
    }
  }
}

function parse(data: Buffer, idField: string): { body?: unknown; id?: string } {
  if (data.length === 0 || (data[0] !== 0x7b && data[0] !== 0x5b)) return {};
  try {
    const body = JSON.parse(data.toString('utf8'));
    const id = body !== null && typeof body === 'object' ? body[idField] : undefined;
    return { body, id: typeof id === 'string' && id.length > 0 ? id : undefined };
  } catch {
    return {};
  }
}

/**
 * A Lambda handler for a Kinesis event source (notes 1.1: consumers, duplicates):
 *
 * 1. de-aggregates KPL-aggregated records;
 * 2. drops records whose id is already in the seen-set table, or repeated in the batch
 *    (producer retries and consumer retries both create duplicates);
 * 3. processes the rest in order; the first failure stops the batch and is reported as a
 *    batch item failure (ReportBatchItemFailures), so Lambda retries from that Kinesis
 *    record and nothing before it is processed twice;
 * 4. records the processed ids (with a TTL) before returning.
 *
 * Records without an id are processed without de-duplication. A crash between
 * processing and step 4 can still repeat those records on retry (at-least-once), so
 * processing should itself be idempotent where a repeat is costly.
 */
export const createStreamHandler: CreateStreamHandler = (options) => {
  const idField = options.idField ?? 'recordId';
  const report = options.report ?? ((stats: BatchStats) => console.log(JSON.stringify({ message: 'stream batch', ...stats })));
  return async (event) => {
    const stats: BatchStats = { kinesisRecords: event.Records.length, userRecords: 0, processed: 0, duplicates: 0, withoutId: 0, failed: 0 };
    const groups = event.Records.map((r) => {
      const data = Buffer.from(r.kinesis.data, 'base64');
      const users = deaggregate(data, r.kinesis.partitionKey).map((u): ConsumedRecord => {
        const buf = Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength);
        return {
          ...parse(buf, idField),
          data: buf,
          partitionKey: u.partitionKey,
          explicitHashKey: u.explicitHashKey,
          sequenceNumber: r.kinesis.sequenceNumber,
          subSequenceNumber: u.subSequenceNumber,
          eventSourceArn: r.eventSourceARN,
        };
      });
      stats.userRecords += users.length;
      return { sequenceNumber: r.kinesis.sequenceNumber, users };
    });
    const ids = [...new Set(groups.flatMap((g) => g.users.map((u) => u.id)).filter((id): id is string => id !== undefined))];
    const seen = await loadSeen(options, ids);

    const marks: Array<{ id: string; sequenceNumber: string }> = [];
    const batchItemFailures: BatchItemFailures['batchItemFailures'] = [];
    try {
      outer: for (const group of groups) {
        for (const record of group.users) {
          if (record.id !== undefined && seen.has(record.id)) {
            stats.duplicates++;
            continue;
          }
          if (record.id === undefined) stats.withoutId++;
          try {
            await options.process(record);
          } catch (e) {
            stats.failed++;
            console.error(JSON.stringify({ message: 'record failed', sequenceNumber: group.sequenceNumber, subSequenceNumber: record.subSequenceNumber, id: record.id, error: String(e) }));
            batchItemFailures.push({ itemIdentifier: group.sequenceNumber });
            break outer;
          }
          stats.processed++;
          if (record.id !== undefined) {
            seen.add(record.id);
            marks.push({ id: record.id, sequenceNumber: group.sequenceNumber });
          }
        }
      }
    } finally {
      // remember what was processed even when the batch stops early
      await markSeen(options, marks);
    }
    report(stats);
    return { batchItemFailures };
  };
};
