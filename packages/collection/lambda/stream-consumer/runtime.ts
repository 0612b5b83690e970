import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStreamHandler } from './consumer';
import type { StreamHandlerFactory } from './types';

export { createStreamHandler } from './consumer';
export type * from './types';

/** Seven days: the StreamConsumer construct's default `seenTtl`. */
const DEFAULT_TTL_SECONDS = 604_800;

/**
 * The handler of a StreamConsumer, around your record processor: de-aggregation, de-duplication
 * with the construct's seen-set table, partial batch responses. Reads the construct's
 * environment (`SEEN_TABLE_NAME`, `SEEN_TTL_SECONDS`, `ID_FIELD`) unless `settings` say otherwise.
 *
 * ```ts
 * import { streamHandler } from '@analytics-patterns/collection/runtime/stream-consumer';
 * export const handler = streamHandler(async (record) => { ... });
 * ```
 */
export const streamHandler: StreamHandlerFactory = (process, settings = {}) => {
  const tableName = settings.tableName ?? globalThis.process.env.SEEN_TABLE_NAME;
  if (!tableName) throw new Error('streamHandler: no seen-set table (SEEN_TABLE_NAME is not set and no tableName was given)');
  return createStreamHandler({
    process,
    client: settings.client ?? new DynamoDBClient({}),
    tableName,
    ttlSeconds: settings.ttlSeconds ?? Number(globalThis.process.env.SEEN_TTL_SECONDS ?? DEFAULT_TTL_SECONDS),
    idField: settings.idField ?? globalThis.process.env.ID_FIELD ?? 'recordId',
    report: settings.report,
  });
};
