/**
 * Descriptors that tell the OData layer which Graph properties an entity has and how they map onto SQL.
 * Column and table names only ever come from these descriptors, never from a request.
 */

/**
 * Value types the $filter subset understands. Booleans are stored as integer 0/1 in every dialect; datetimes
 * as Date#toISOString() text, which sorts chronologically, so `ge`/`lt` compare them as text.
 */
export type ODataType = 'string' | 'boolean' | 'datetime' | 'guid' | 'integer';

export interface PropertySpec {
  /** SQL column on the entity (or collection) table, e.g. 'display_name'. */
  column: string;
  type: ODataType;
  /** May appear in $filter. Graph only filters on indexed properties, so the default is no. */
  filterable?: boolean;
  /** Compared as lower(column) = lower(value), like Graph does for mail, userPrincipalName, displayName. */
  caseInsensitive?: boolean;
  /** The only accepted values (matched case-insensitively, compared in this canonical spelling). */
  enumValues?: readonly string[];
  nullable?: boolean;
}

/** A multi-valued property reachable through a lambda: identities/any(i:i/issuer eq 'x'). */
export interface CollectionSpec {
  table: string;
  /** Column on the collection table that points at the entity's key column. */
  foreignKey: string;
  /** The subquery also matches the outer row's tenant, so a lambda never crosses tenants. */
  tenantColumn: string;
  properties: Record<string, PropertySpec>;
}

export interface EntitySpec {
  table: string;
  keyColumn: string;
  tenantColumn: string;
  /** Every Graph property of the entity; all are selectable. */
  properties: Record<string, PropertySpec>;
  collections?: Record<string, CollectionSpec>;
  /**
   * Members of single-valued complex properties reachable by path in $filter, e.g. signIn's
   * `status/errorCode`: { status: { errorCode: … } }. The complex property itself is listed in `properties`
   * (for $select); its members are stored in columns of the entity table.
   */
  complexProperties?: Record<string, Record<string, PropertySpec>>;
  /** Graph properties allowed in $search. */
  searchable: readonly string[];
  /** Graph properties allowed in $orderby. */
  orderable: readonly string[];
  /** Graph property used when $orderby is absent; ties are broken by the key column. */
  defaultOrderBy: string;
  /** Direction when $orderby is absent (audit logs list newest first, like Graph). Default asc. */
  defaultDirection?: 'asc' | 'desc';
}

/** Own-property lookup, so names like 'constructor' or '__proto__' are never mistaken for properties. */
export function lookup<T>(record: Record<string, T> | undefined, name: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
}
