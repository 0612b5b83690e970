/**
 * A user's own stream-consumer handler, written against the published, typed runtime entry point
 * of @analytics-patterns/collection (by its package path, as a user imports it). Type-checked under
 * `strict` with the app; a user bundles it with their own tooling and passes it as StreamConsumer `code`.
 */
import { ConsumedRecord, streamHandler } from '@analytics-patterns/collection/runtime/stream-consumer';

export const handler = streamHandler(async (record: ConsumedRecord) => {
  const body: unknown = record.body;
  if (typeof body !== 'object' || body === null) throw new Error(`record ${record.id} is not a JSON object`);
});
