// Internal helper of SecureDataLake (not exported from the package index): CloudFormation
// shapes of Lake Formation resources and stable construct ids derived from their content.
import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as lf from 'aws-cdk-lib/aws-lakeformation';
import { IConstruct } from 'constructs';
import { LakeGrant, LakePrincipal, LakeResource, LakeResourceKind, LakeTagAssociation } from './lake-formation-types';

/** The `Resource` of an `AWS::LakeFormation::PrincipalPermissions` for `r`. */
export function permissionsResource(r: LakeResource, catalogId: string, locationArn: string): lf.CfnPrincipalPermissions.ResourceProperty {
  const db = r.databaseName!;
  switch (r.kind) {
    case LakeResourceKind.DATABASE: return { database: { catalogId, name: db } };
    case LakeResourceKind.TABLE: return { table: { catalogId, databaseName: db, name: r.tableName! } };
    case LakeResourceKind.ALL_TABLES: return { table: { catalogId, databaseName: db, tableWildcard: {} } };
    case LakeResourceKind.COLUMNS:
      return { tableWithColumns: { catalogId, databaseName: db, name: r.tableName!, columnNames: r.columnNames! } };
    case LakeResourceKind.COLUMNS_EXCEPT:
      return { tableWithColumns: { catalogId, databaseName: db, name: r.tableName!, columnWildcard: { excludedColumnNames: r.columnNames! } } };
    case LakeResourceKind.DATA_CELLS_FILTER:
      return { dataCellsFilter: { tableCatalogId: catalogId, databaseName: db, tableName: r.tableName!, name: r.name! } };
    case LakeResourceKind.TAG_KEY: {
      const c = r.conditions![0];
      return { lfTag: { catalogId, tagKey: c.key, tagValues: c.values } };
    }
    case LakeResourceKind.TAG_EXPRESSION:
      return {
        lfTagPolicy: { catalogId, resourceType: r.resourceType!, expression: r.conditions!.map((c) => ({ tagKey: c.key, tagValues: c.values })) },
      };
    default:
      return { dataLocation: { catalogId, resourceArn: locationArn } };
  }
}

/** The `Resource` of an `AWS::LakeFormation::TagAssociation` (database, table or columns). */
export function associationResource(r: LakeResource, catalogId: string): lf.CfnTagAssociation.ResourceProperty {
  if (r.kind === LakeResourceKind.DATABASE) return { database: { catalogId, name: r.databaseName! } };
  if (r.kind === LakeResourceKind.TABLE) return { table: { catalogId, databaseName: r.databaseName!, name: r.tableName! } };
  return { tableWithColumns: { catalogId, databaseName: r.databaseName!, name: r.tableName!, columnNames: r.columnNames! } };
}

const sorted = (values?: string[]) => (values === undefined ? undefined : [...values].sort());

/** What identifies a resource, in a canonical form (lists sorted: their order does not change the grant). */
function resourceKey(r: LakeResource): unknown {
  return {
    kind: r.kind,
    database: r.databaseName,
    table: r.tableName,
    columns: sorted(r.columnNames),
    name: r.name,
    type: r.resourceType,
    conditions: r.conditions?.map((c) => ({ key: c.key, values: sorted(c.values) })).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** A principal in a canonical form: its identifier, or the template expression of a token (e.g. a role's ARN). */
function principalKey(scope: IConstruct, p: LakePrincipal): unknown {
  return Token.isUnresolved(p.identifier) ? Stack.of(scope).resolve(p.identifier) : p.identifier;
}

function digest(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12).toUpperCase();
}

/**
 * A construct id for a grant, derived from its principal, resource and permissions (not from
 * its position): adding or removing another grant never renames this one, so CloudFormation
 * never revokes and re-grants it.
 */
export function grantId(scope: IConstruct, grant: LakeGrant): string {
  return `Grant${digest({ principal: principalKey(scope, grant.principal), resource: resourceKey(grant.resource), permissions: sorted(grant.permissions) })}`;
}

/** A construct id for a tag association, derived from its resource and LF-tags. */
export function associationId(association: LakeTagAssociation): string {
  const tags = association.tags.map((t) => `${t.key}=${t.value}`).sort();
  return `TagAssociation${digest({ resource: resourceKey(association.resource), tags })}`;
}
