import { DynamoDbCapacity, ReadConsistency } from '../src';

describe("DynamoDbCapacity: the notes' worked examples (2.3)", () => {
  test('10 writes/s of 2 KB = 20 WCU', () => {
    expect(DynamoDbCapacity.writeCapacityUnits({ itemSizeKb: 2, writesPerSecond: 10 })).toBe(20);
  });

  test('6 writes/s of 4.5 KB = 30 WCU (the notes first wrote 27: item size rounds UP to 5 KB)', () => {
    expect(DynamoDbCapacity.writeCapacityUnits({ itemSizeKb: 4.5, writesPerSecond: 6 })).toBe(30);
  });

  test('120 writes/min of 2 KB = 2 writes/s = 4 WCU', () => {
    expect(DynamoDbCapacity.writeCapacityUnits({ itemSizeKb: 2, writesPerSecond: 120 / 60 })).toBe(4);
  });

  test('10 strong reads/s of 4 KB = 10 RCU', () => {
    expect(DynamoDbCapacity.readCapacityUnits({ itemSizeKb: 4, readsPerSecond: 10, consistency: ReadConsistency.STRONG })).toBe(10);
  });

  test('16 eventual reads/s of 12 KB = 24 RCU', () => {
    expect(DynamoDbCapacity.readCapacityUnits({ itemSizeKb: 12, readsPerSecond: 16, consistency: ReadConsistency.EVENTUAL })).toBe(24);
  });

  test('10 strong reads/s of 6 KB = 20 RCU (the notes first wrote 10: 6 KB rounds UP to 8 KB)', () => {
    expect(DynamoDbCapacity.readCapacityUnits({ itemSizeKb: 6, readsPerSecond: 10, consistency: ReadConsistency.STRONG })).toBe(20);
  });
});

describe('DynamoDbCapacity: other rules', () => {
  test('eventual is the default consistency (GetItem) and odd rates round up', () => {
    expect(DynamoDbCapacity.readCapacityUnits({ itemSizeKb: 4, readsPerSecond: 15 })).toBe(8);
  });

  test('transactions cost double', () => {
    expect(DynamoDbCapacity.writeCapacityUnits({ itemSizeKb: 1, writesPerSecond: 10, transactional: true })).toBe(20);
    expect(DynamoDbCapacity.readCapacityUnits({ itemSizeKb: 4, readsPerSecond: 10, consistency: ReadConsistency.TRANSACTIONAL })).toBe(20);
  });

  test('items above 400 KB are rejected', () => {
    expect(() => DynamoDbCapacity.writeCapacityUnits({ itemSizeKb: 401, writesPerSecond: 1 }))
      .toThrow(/invalid itemSizeKb: 401\. Allowed: a number from .* to 400\./);
  });
});
