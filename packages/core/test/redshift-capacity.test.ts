import { RedshiftCapacity, RedshiftNodeType } from '../src/capacity/redshift-capacity';

describe('RedshiftCapacity', () => {
  test('slices = nodes x default slices per node', () => {
    expect(RedshiftCapacity.slices(RedshiftNodeType.RA3_XLPLUS, 2)).toBe(4);
    expect(RedshiftCapacity.slices(RedshiftNodeType.RA3_4XLARGE, 4)).toBe(16);
    expect(RedshiftCapacity.slices(RedshiftNodeType.RA3_16XLARGE, 2)).toBe(32);
    expect(RedshiftCapacity.slices(RedshiftNodeType.DC2_LARGE, 1)).toBe(2);
    expect(RedshiftCapacity.slices(RedshiftNodeType.DC2_8XLARGE, 3)).toBe(48);
  });

  test('node ranges per type', () => {
    expect(RedshiftCapacity.nodeTypeDetails(RedshiftNodeType.RA3_4XLARGE))
      .toEqual({ slicesPerNode: 4, minNodes: 2, maxNodes: 32, singleNode: false });
    expect(RedshiftCapacity.nodeTypeDetails(RedshiftNodeType.RA3_XLPLUS).singleNode).toBe(true);
    expect(() => RedshiftCapacity.slices(RedshiftNodeType.RA3_4XLARGE, 1)).toThrow('invalid numberOfNodes: 1. Allowed: a whole number from 2 to 32.');
    expect(() => RedshiftCapacity.slices(RedshiftNodeType.RA3_XLPLUS, 2.5)).toThrow('invalid numberOfNodes');
    expect(() => RedshiftCapacity.nodeTypeDetails('ds2.xlarge' as RedshiftNodeType)).toThrow('invalid nodeType: "ds2.xlarge"');
  });

  test('one huge file is split into a multiple of the slice count, each at most 125 MB', () => {
    // 10 GB on 2 x ra3.4xlarge (8 slices): 82 files minimum -> 88 (11 per slice), 116.4 MB each
    const plan = RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_4XLARGE, numberOfNodes: 2, totalCompressedMb: 10240 });
    expect(plan.slices).toBe(8);
    expect(plan.files).toBe(88);
    expect(plan.files % plan.slices).toBe(0);
    expect(plan.fileMb).toBeCloseTo(116.36, 2);
    expect(plan.filesBelowOneMb).toBe(false);
  });

  test('at least one file per slice, even for a small load', () => {
    const plan = RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_XLPLUS, numberOfNodes: 2, totalCompressedMb: 100 });
    expect(plan).toEqual({ slices: 4, files: 4, fileMb: 25, filesBelowOneMb: false });
  });

  test('exact multiples are not rounded up further; a smaller maximum makes more files', () => {
    expect(RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_XLPLUS, numberOfNodes: 2, totalCompressedMb: 500 }).files).toBe(4);
    expect(RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_XLPLUS, numberOfNodes: 2, totalCompressedMb: 500, maxFileMb: 64 }).files)
      .toBe(8);
  });

  test('a tiny load is flagged (files under 1 MB)', () => {
    const plan = RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_16XLARGE, numberOfNodes: 4, totalCompressedMb: 10 });
    expect(plan.files).toBe(64);
    expect(plan.filesBelowOneMb).toBe(true);
  });

  test('bad inputs', () => {
    expect(() => RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_XLPLUS, numberOfNodes: 2, totalCompressedMb: 0 })).toThrow('invalid totalCompressedMb: 0');
    expect(() => RedshiftCapacity.copyFilesFor({ nodeType: RedshiftNodeType.RA3_XLPLUS, numberOfNodes: 2, totalCompressedMb: 10, maxFileMb: 0.5 })).toThrow('invalid maxFileMb: 0.5');
  });
});
