import { ClickstreamIngestionStack } from '../apps/clickstream/src';
import { StreamingDataLakeStack } from '../apps/streaming-data-lake/src';
import { generateRecord } from '@analytics-patterns/producer';
import { testApp } from '@analytics-patterns/testing';

// A learner sends `npx produce` records into the reference apps: the generated records
// must carry the fields the apps partition by and the columns their tables declare.
describe('lab data from the produce CLI fits the reference apps', () => {
  const records = Array.from({ length: 200 }, (_, i) => generateRecord(i, 50, 300));

  test('ClickstreamIngestion: every record has the partition fields, with a few distinct values', () => {
    const stack = new ClickstreamIngestionStack(testApp(), 'ClickstreamIngestion');
    const fields = stack.ingestion.partitionKeys.filter((k) => !['year', 'month', 'day', 'hour'].includes(k));
    expect(fields).toEqual(['event_type']);
    for (const f of fields) {
      const values = new Set(records.map((r) => r[f]));
      expect([...values].every((v) => typeof v === 'string' && /^[a-z_]+$/.test(v as string))).toBe(true);
      expect(values.size).toBeGreaterThan(1);
      expect(values.size).toBeLessThan(10);
    }
  });

  test('StreamingDataLake: every record has every column of the Parquet table, with the right types', () => {
    const stack = new StreamingDataLakeStack(testApp(), 'StreamingDataLake');
    const partitionKeys = stack.table.partitionKeys.map((k) => k.name); // from the S3 prefix, not the record
    expect(partitionKeys).toEqual(['year', 'month', 'day']);
    for (const column of stack.table.columnNames.filter((c) => !partitionKeys.includes(c))) {
      for (const r of records) expect(Object.keys(r)).toContain(column);
    }
    for (const r of records) {
      expect(r.event_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/); // Hive timestamp
      expect(typeof r.amount).toBe('number');
      expect(['eu', 'us', 'apac']).toContain(r.region);
    }
  });
});
