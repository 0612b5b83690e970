import { ceil, requireNumber } from './formula';

/**
 * Redshift provisioned node types that can still be launched (DS2 and DC1 are retired;
 * the notes' "dense storage" nodes are gone, RA3 with managed storage replaced them).
 */
export enum RedshiftNodeType {
  /** ra3.large: 2 vCPU, 2 slices per node, 1-16 nodes. */
  RA3_LARGE = 'ra3.large',
  /** ra3.xlplus: 4 vCPU, 2 slices per node, 1-16 nodes. */
  RA3_XLPLUS = 'ra3.xlplus',
  /** ra3.4xlarge: 12 vCPU, 4 slices per node, 2-32 nodes. */
  RA3_4XLARGE = 'ra3.4xlarge',
  /** ra3.16xlarge: 48 vCPU, 16 slices per node, 2-128 nodes. */
  RA3_16XLARGE = 'ra3.16xlarge',
  /** dc2.large: 2 vCPU, 2 slices per node, 1-32 nodes (local SSD; prefer RA3). */
  DC2_LARGE = 'dc2.large',
  /** dc2.8xlarge: 32 vCPU, 16 slices per node, 2-128 nodes (local SSD; prefer RA3). */
  DC2_8XLARGE = 'dc2.8xlarge',
}

/** Default slices per node and allowed node counts of a node type (AWS "Node type details"). */
export interface RedshiftNodeTypeDetails {
  /** Default slices per node. */
  readonly slicesPerNode: number;
  /** Smallest node count when the cluster is created. */
  readonly minNodes: number;
  /** Largest node count when the cluster is created. */
  readonly maxNodes: number;
  /** Whether a single-node cluster of this type can be created. */
  readonly singleNode: boolean;
}

const DETAILS: Record<RedshiftNodeType, RedshiftNodeTypeDetails> = {
  [RedshiftNodeType.RA3_LARGE]: { slicesPerNode: 2, minNodes: 1, maxNodes: 16, singleNode: true },
  [RedshiftNodeType.RA3_XLPLUS]: { slicesPerNode: 2, minNodes: 1, maxNodes: 16, singleNode: true },
  [RedshiftNodeType.RA3_4XLARGE]: { slicesPerNode: 4, minNodes: 2, maxNodes: 32, singleNode: false },
  [RedshiftNodeType.RA3_16XLARGE]: { slicesPerNode: 16, minNodes: 2, maxNodes: 128, singleNode: false },
  [RedshiftNodeType.DC2_LARGE]: { slicesPerNode: 2, minNodes: 1, maxNodes: 32, singleNode: true },
  [RedshiftNodeType.DC2_8XLARGE]: { slicesPerNode: 16, minNodes: 2, maxNodes: 128, singleNode: false },
};

/** A COPY load to plan: how much (compressed) data, into which cluster. */
export interface CopyLoadWorkload {
  /** Node type of the cluster. */
  readonly nodeType: RedshiftNodeType;
  /** Number of compute nodes. */
  readonly numberOfNodes: number;
  /** Total size of the load after compression, MB. */
  readonly totalCompressedMb: number;
  /**
   * Largest file wanted, MB after compression (the notes: 1-125 MB is ideal).
   * @default 125
   */
  readonly maxFileMb?: number;
}

/** How to split a COPY load into files. */
export interface CopyFilePlan {
  /** Slices in the cluster (nodes x slices per node): every slice loads files in parallel. */
  readonly slices: number;
  /** Number of files: a multiple of the slice count, enough to keep each file under the maximum size. */
  readonly files: number;
  /** Size of each file, MB after compression (all files the same size). */
  readonly fileMb: number;
  /**
   * Whether the files come out smaller than 1 MB: then the load is too small to split,
   * fewer (or one) files are fine and per-file overhead dominates.
   */
  readonly filesBelowOneMb: boolean;
}

/**
 * Redshift COPY sizing (notes 4.4): COPY loads files in parallel, one file per slice
 * at a time, so split a load into a multiple of the cluster's slice count, files of
 * similar size, 1-125 MB each after compression.
 *
 * Redshift Serverless has no fixed slice count: plan for provisioned clusters only.
 */
export class RedshiftCapacity {
  /** Smallest ideal COPY file, MB after compression. */
  public static readonly MIN_FILE_MB = 1;
  /** Largest ideal COPY file, MB after compression. */
  public static readonly MAX_FILE_MB = 125;

  /** Slices per node and node counts of a node type. */
  public static nodeTypeDetails(nodeType: RedshiftNodeType): RedshiftNodeTypeDetails {
    const d = DETAILS[nodeType];
    if (!d) throw new Error(`invalid nodeType: ${JSON.stringify(nodeType)}. Allowed: one of ${Object.keys(DETAILS).join(', ')}.`);
    return d;
  }

  /** Slices of a cluster: nodes x default slices per node. */
  public static slices(nodeType: RedshiftNodeType, numberOfNodes: number): number {
    const d = RedshiftCapacity.nodeTypeDetails(nodeType);
    requireNumber('numberOfNodes', numberOfNodes, d.minNodes, d.maxNodes, true);
    return d.slicesPerNode * numberOfNodes;
  }

  /**
   * Files to split a load into:
   * `files = slices x ceil(ceil(totalMb / maxFileMb) / slices)` (at least one per slice),
   * `fileMb = totalMb / files`.
   */
  public static copyFilesFor(workload: CopyLoadWorkload): CopyFilePlan {
    const slices = RedshiftCapacity.slices(workload.nodeType, workload.numberOfNodes);
    const maxFileMb = workload.maxFileMb ?? RedshiftCapacity.MAX_FILE_MB;
    requireNumber('totalCompressedMb', workload.totalCompressedMb, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER);
    requireNumber('maxFileMb', maxFileMb, RedshiftCapacity.MIN_FILE_MB, 1024 * 1024);
    const minFiles = ceil(workload.totalCompressedMb / maxFileMb);
    const files = slices * Math.max(1, ceil(minFiles / slices));
    const fileMb = workload.totalCompressedMb / files;
    return { slices, files, fileMb, filesBelowOneMb: fileMb < RedshiftCapacity.MIN_FILE_MB };
  }

  private constructor() {}
}
