// Internal helpers of SecureDataLake (not exported from the package index).
import { LakeTableDescription } from './lake-formation-types';

/** Data and partition column names of a table description. */
export function columnsOf(table: LakeTableDescription): string[] {
  return [...table.columns, ...(table.partitionKeys ?? [])].map((c) => c.name);
}

/**
 * Column names a PartiQL row filter compares (`col = ...`, `col IN (...)`, `col LIKE ...`,
 * `col BETWEEN ...`, `col IS [NOT] NULL`), after removing quoted literals. A light check
 * that catches typos at synth; Lake Formation validates the full expression at deploy time.
 */
export function referencedColumns(expression: string): string[] {
  const withoutLiterals = expression.replace(/'(?:[^']|'')*'/g, "''");
  const names = new Set<string>();
  const re = /"?([A-Za-z_][A-Za-z0-9_]*)"?\s*(?:=|<>|!=|<=|>=|<|>|\s(?:not\s+)?(?:in|like|between)\b|\sis\b)/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(withoutLiterals)) !== null) {
    const word = m[1].toLowerCase();
    if (!['and', 'or', 'not'].includes(word)) names.add(m[1]);
  }
  return [...names];
}
