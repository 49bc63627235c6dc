import { allPermissions } from '../../src/auth/permissions.js';
import { assignRole } from '../../src/users/store.js';
import { type DirectoryContext, directoryContext } from '../directory/support.js';
import type { DialectName } from '../helpers/database.js';
import { delegatedToken } from '../helpers/delegated-token.js';
import { type GraphClient, graphClient, V1 } from '../helpers/graph.js';

export {
  createGroup,
  createUser,
  expectGraphError,
  newGroup,
  newUser,
} from '../directory/support.js';

export interface AuthContext extends DirectoryContext {
  /** A directory API client for a user of the tenant, signed in through a client with `scopes`. */
  as(userId: string, scopes?: readonly string[], options?: { acct?: 0 | 1 }): Promise<GraphClient>;
  /** Gives a user a directory role (there is no role API yet: straight into the directory). */
  grantRole(userId: string, role: string): Promise<void>;
  /** Creates a member user; returns its object id. */
  member(fields?: Record<string, unknown>): Promise<string>;
  /** Invites a guest (pending), optionally into groups; returns its object id. */
  guest(email: string): Promise<string>;
}

let counter = 0;

export async function authContext(
  dialect: DialectName,
  options: Parameters<typeof directoryContext>[1] = {},
): Promise<AuthContext> {
  const ctx = await directoryContext(dialect, options);
  const tenantId = ctx.tenant.tenantId;
  return {
    ...ctx,
    async as(userId, scopes, { acct } = {}) {
      const token = await delegatedToken(ctx.app, {
        tenantId,
        userId,
        ...(scopes && { scopes }),
        ...(acct !== undefined && { acct }),
      });
      return graphClient(ctx.app, token, V1);
    },
    grantRole: (userId, role) => assignRole(ctx.app.services.db, tenantId, userId, role),
    async member(fields = {}) {
      const nickname = `person${Date.now().toString(36)}${(counter++).toString(36)}`;
      const response = await ctx.api.post('/users', {
        accountEnabled: true,
        displayName: `Person ${nickname}`,
        mailNickname: nickname,
        userPrincipalName: `${nickname}@${ctx.domain}`,
        mail: `${nickname}@contoso.example`,
        passwordProfile: { password: 'correct horse battery staple' },
        ...fields,
      });
      if (response.statusCode !== 201) throw new Error(`member: ${response.statusCode} ${response.body}`);
      return response.json().id as string;
    },
    async guest(email) {
      const response = await ctx.api.post('/invitations', {
        invitedUserEmailAddress: email,
        inviteRedirectUrl: 'https://app.contoso.example/',
      });
      if (response.statusCode !== 201) throw new Error(`guest: ${response.statusCode} ${response.body}`);
      return response.json().invitedUser.id as string;
    },
  };
}

/** Every delegated permission a client could hold on the directory API, for tests about the user's side. */
export const ALL_SCOPES = ['User.Read', 'User.ReadBasic.All', ...allPermissions] as const;
