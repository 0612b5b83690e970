import { randomUUID } from 'crypto';

/**
 * A generated clickstream event of about `size` bytes, with the fields the reference
 * apps read: `event_type` (the ClickstreamIngestion partition key) and the columns of
 * the StreamingDataLake table (`event_id`, `user_id`, `email`, `region`, `amount`,
 * `event_time` as a Hive timestamp `yyyy-MM-dd HH:mm:ss.SSS`).
 */
export function generateRecord(i: number, devices: number, size: number): Record<string, unknown> {
  const pages = ['/', '/search', '/product', '/cart', '/checkout'];
  const regions = ['eu', 'us', 'apac'];
  const user = (i * 31) % 997;
  const eventType = i % 11 === 0 ? 'purchase' : i % 3 === 0 ? 'click' : 'view';
  const record = {
    event_id: randomUUID(),
    event_type: eventType,
    event_time: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    deviceId: `device-${String(i % devices).padStart(4, '0')}`,
    seq: Math.floor(i / devices) + 1,
    user_id: `u-${user}`,
    email: `user${user}@example.com`,
    region: regions[user % regions.length],
    page: pages[i % pages.length],
    amount: eventType === 'purchase' ? Math.round((i * 7919) % 10000) / 100 : 0,
    padding: '',
  };
  const base = Buffer.byteLength(JSON.stringify(record)) + 50; // + the record id the producer adds
  return { ...record, padding: 'x'.repeat(Math.max(0, size - base)) };
}
