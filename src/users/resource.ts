import type { UserResource } from './schemas.js';
import type { IdentityRow, UserRow } from './store.js';

/** What a user's properties are read from beyond its own row: its stored identities and the tenant's domain. */
export interface UserContext {
  identities: ReadonlyMap<string, readonly IdentityRow[]>;
  defaultDomain: string;
}

interface PropertyReader {
  /** The users columns the property is read from (none for the constant ones). */
  columns: readonly (keyof UserRow)[];
  read(row: UserRow, context: UserContext): unknown;
}

const column = (name: keyof UserRow): PropertyReader => ({ columns: [name], read: (row) => row[name] });
const constant = (value: () => unknown): PropertyReader => ({ columns: [], read: value });

/**
 * Members sign in with their UPN, which Graph reports as a `userPrincipalName` identity issued by the tenant's
 * default domain; that identity is derived, not stored.
 */
function identitiesOf(row: UserRow, context: UserContext): UserResource['identities'] {
  const stored = (context.identities.get(row.id) ?? []).map((i) => ({
    signInType: i.sign_in_type,
    issuer: i.issuer,
    issuerAssignedId: i.issuer_assigned_id,
  }));
  if (row.user_type !== 'Member') return stored;
  const upn = {
    signInType: 'userPrincipalName',
    issuer: context.defaultDomain,
    issuerAssignedId: row.user_principal_name,
  };
  return [upn, ...stored];
}

/** Row → each Graph user property, and the columns it needs (so a list reads only the columns it answers with). */
const readers: { [P in keyof UserResource]: PropertyReader } = {
  id: column('id'),
  displayName: column('display_name'),
  givenName: column('given_name'),
  surname: column('surname'),
  jobTitle: column('job_title'),
  mail: column('mail'),
  otherMails: { columns: ['other_mails'], read: (row) => JSON.parse(row.other_mails) as string[] },
  userPrincipalName: column('user_principal_name'),
  userType: column('user_type'),
  accountEnabled: { columns: ['account_enabled'], read: (row) => row.account_enabled === 1 },
  preferredLanguage: column('preferred_language'),
  createdDateTime: column('created_at'),
  creationType: column('creation_type'),
  externalUserState: column('external_user_state'),
  externalUserStateChangeDateTime: column('external_user_state_changed_at'),
  identities: { columns: ['id', 'user_type', 'user_principal_name'], read: identitiesOf },
  businessPhones: constant(() => []),
  mobilePhone: constant(() => null),
  officeLocation: constant(() => null),
  mailNickname: column('mail_nickname'),
};
const allProperties = Object.keys(readers) as (keyof UserResource)[];

const readerOf = (name: string): PropertyReader | undefined =>
  Object.hasOwn(readers, name) ? readers[name as keyof UserResource] : undefined;

/** The users columns that `properties` are read from, `id` always among them. */
export function userColumns(properties: readonly string[]): (keyof UserRow)[] {
  const columns = new Set<keyof UserRow>(['id']);
  for (const name of properties) for (const c of readerOf(name)?.columns ?? []) columns.add(c);
  return [...columns];
}

/** Whether `properties` need the identities query and the tenant's domain. */
export const needsIdentities = (properties: readonly string[]) => properties.includes('identities');

/**
 * A reader of exactly `properties` (unknown names skipped), in that order, from a row holding at least their
 * `userColumns`: a list resolves its properties once and builds each answer directly, instead of a full
 * resource per row and then a projection of it.
 */
export function userReader(
  properties: readonly string[],
  context: UserContext,
): (row: UserRow) => Partial<UserResource> {
  const plan = properties.flatMap((name) => {
    const reader = readerOf(name);
    return reader ? [[name, reader] as const] : [];
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [name, reader] of plan) out[name] = reader.read(row, context);
    return out as Partial<UserResource>;
  };
}

/** Row → the whole Graph user. */
export function toUserResource(row: UserRow, identities: IdentityRow[], defaultDomain: string): UserResource {
  const context = { identities: new Map([[row.id, identities]]), defaultDomain };
  return userReader(allProperties, context)(row) as UserResource;
}
