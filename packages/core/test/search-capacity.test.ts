import { SearchCapacity } from '../src';

describe('SearchCapacity', () => {
  test("AWS's example: 66 GiB with one replica needs about 191 GiB", () => {
    // 66 * 2 * 1.1 / 0.95 / 0.8 = 191.05 -> 192 (rounded up: never under-provision)
    expect(SearchCapacity.estimate({ sourceDataGiB: 66 }, 3)).toEqual({ minimumStorageGiB: 192, storagePerNodeGiB: 64, primaryShards: 3 });
  });

  test('shards: (source + growth) x 1.1 / target size, rounded up to a multiple of the data nodes', () => {
    // 200 * 1.5 * 1.1 / 50 = 6.6 -> 7 -> 9 on 3 nodes
    expect(SearchCapacity.estimate({ sourceDataGiB: 200, growthPercent: 50, targetShardSizeGiB: 50 }, 3).primaryShards).toBe(9);
  });

  test('no replicas halves storage; bad inputs are rejected', () => {
    expect(SearchCapacity.estimate({ sourceDataGiB: 66, replicas: 0 }, 1).minimumStorageGiB).toBe(96);
    expect(() => SearchCapacity.estimate({ sourceDataGiB: 10, replicas: 1.5 }, 3)).toThrow('invalid replicas: 1.5');
    expect(() => SearchCapacity.estimate({ sourceDataGiB: 10 }, 0)).toThrow('invalid dataNodes: 0');
  });
});
