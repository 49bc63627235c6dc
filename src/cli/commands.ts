import type { ParseArgsConfig } from 'node:util';
import type * as z from 'zod';
import { operatorActor, operatorPrincipal } from '../auth/principal.js';
import { loadConfig } from '../config/index.js';
import { connectDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { explainDatabaseError } from '../db/unavailable.js';
import { FoyerError } from '../errors/catalogue.js';
import { identityProviderCommands } from '../federation/cli.js';
import { resendInvitation, revokeInvitation } from '../invitations/operations.js';
import { invitationBody } from '../invitations/schemas.js';
import { invite } from '../invitations/service.js';
import { outboxStatus } from '../mail/index.js';
import { rotateSigningKeys } from '../oidc/keys.js';
import { createOperatorToken } from '../tenants/operator-tokens.js';
import { provisionTenant } from '../tenants/provision.js';
import { createTenantBody, domainBody } from '../tenants/schemas.js';
import { addDomain, requireTenant, verifyDomain } from '../tenants/service.js';
import { listTenants } from '../tenants/store.js';
import { createUserBody } from '../users/schemas.js';
import { createUser } from '../users/service.js';
import { bulkInvite } from './bulk-invite.js';
import { withServices } from './context.js';

/** A mistake in how the command was called (exit code 2), as opposed to a refused operation (exit code 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Command {
  name: string[];
  usage: string;
  summary: string;
  arity: number;
  options?: ParseArgsConfig['options'];
  run(args: string[], options: Record<string, string | boolean | undefined>): Promise<void>;
}

const print = (value: unknown): void => {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
};

/**
 * The CLI's input goes through the very schema the HTTP route validates with, so a value the API refuses (a
 * short password, a bad language tag) is refused here too, with the same messages.
 */
function validated<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new FoyerError(
    'badRequest',
    parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
  );
}

export const commands: Command[] = [
  {
    name: ['migrate'],
    usage: 'migrate',
    summary: 'Apply pending database migrations',
    arity: 0,
    async run() {
      const { url } = loadConfig(process.env).database;
      const database = await connectDatabase(url).catch((error: unknown) => {
        throw explainDatabaseError(error, url);
      });
      try {
        const applied = await migrateToLatest(database.db, database.schema).catch((error: unknown) => {
          throw explainDatabaseError(error, url);
        });
        print(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await database.close();
      }
    },
  },
  {
    name: ['tenant', 'create'],
    usage: 'tenant create <displayName> [--slug s] [--admin-email e] [--language l]',
    summary: 'Create a tenant with its admin and automation app',
    arity: 1,
    options: { slug: { type: 'string' }, 'admin-email': { type: 'string' }, language: { type: 'string' } },
    run: (args, o) =>
      withServices(async (services) =>
        print(
          await provisionTenant(
            services,
            validated(createTenantBody, {
              displayName: args[0],
              ...(o.slug !== undefined && { slug: o.slug }),
              ...(o['admin-email'] !== undefined && { adminEmail: o['admin-email'] }),
              ...(o.language !== undefined && { defaultLanguage: o.language }),
            }),
            operatorActor('cli'),
          ),
        ),
      ),
  },
  {
    name: ['tenant', 'list'],
    usage: 'tenant list',
    summary: 'List tenants',
    arity: 0,
    run: () =>
      withServices(async (services) => {
        for (const t of await listTenants(services.db))
          print(`${t.id}  ${t.slug.padEnd(24)} ${t.display_name}`);
      }),
  },
  {
    name: ['domain', 'add'],
    usage: 'domain add <tenant> <domain>',
    summary: 'Add a custom domain; prints the TXT record to publish',
    arity: 2,
    run: (args) =>
      withServices(async (services) => {
        const { domain } = validated(domainBody, { domain: args[1] });
        const added = await addDomain(services, args[0]!, domain, operatorActor('cli'));
        print({ ...added, txtRecordName: added.domain, txtRecordValue: added.txtRecord });
        process.stderr.write(
          `Publish a DNS TXT record named ${added.domain} with the value ${added.txtRecord}, then run: ` +
            `foyer domain verify ${args[0]} ${added.domain}\n`,
        );
      }),
  },
  {
    name: ['domain', 'verify'],
    usage: 'domain verify <tenant> <domain> [--force]',
    summary: 'Verify a domain by DNS TXT, or --force as operator',
    arity: 2,
    options: { force: { type: 'boolean' } },
    run: (args, o) =>
      withServices(async (services) =>
        print(
          await verifyDomain(services, args[0]!, args[1]!, {
            force: o.force === true,
            actor: operatorActor('cli'),
          }),
        ),
      ),
  },
  {
    name: ['user', 'create'],
    usage: 'user create <tenant> <userPrincipalName> --password p [--name n]',
    summary: 'Create a member user',
    arity: 2,
    options: { name: { type: 'string' }, password: { type: 'string' } },
    run: (args, o) =>
      withServices(async (services) => {
        const upn = args[1]!;
        if (typeof o.password !== 'string') throw new UsageError('--password is required');
        const body = validated(createUserBody, {
          accountEnabled: true,
          displayName: (o.name as string | undefined) ?? upn.split('@')[0],
          mailNickname: upn.split('@')[0],
          userPrincipalName: upn,
          passwordProfile: { password: o.password },
        });
        const tenant = await requireTenant(services, args[0]!);
        const user = await createUser(services, operatorPrincipal(tenant.id), body);
        print({ id: user.id, userPrincipalName: user.user_principal_name });
      }),
  },
  {
    name: ['keys', 'rotate'],
    usage: 'keys rotate <tenant>',
    summary: 'Rotate the tenant signing key (old keys stay in JWKS)',
    arity: 1,
    run: (args) =>
      withServices(async (services) => {
        const tenant = await requireTenant(services, args[0]!);
        print(await rotateSigningKeys(services, tenant.id));
      }),
  },
  {
    name: ['invite'],
    usage: 'invite <tenant> <email> [--redirect url] [--name n] [--send] [--language l]',
    summary: 'Invite a guest (same rules as POST /v1.0/invitations)',
    arity: 2,
    options: {
      redirect: { type: 'string' },
      name: { type: 'string' },
      send: { type: 'boolean' },
      language: { type: 'string' },
    },
    run: (args, o) =>
      withServices(async (services) => {
        const tenant = await requireTenant(services, args[0]!);
        const body = validated(invitationBody, {
          invitedUserEmailAddress: args[1],
          inviteRedirectUrl: o.redirect ?? `${services.config.baseUrl}/${tenant.slug}/myapps`,
          ...(o.name && { invitedUserDisplayName: o.name }),
          sendInvitationMessage: o.send === true,
          // No custom message: the CLI sends as an application, and app-only invitations carry none (§4.4).
          ...(o.language && { invitedUserMessageInfo: { messageLanguage: o.language } }),
        });
        print(await invite(services, operatorPrincipal(tenant.id), body));
      }),
  },
  {
    name: ['invite', 'resend'],
    usage: 'invite resend <tenant> <invitationId>',
    summary: 'Send the invitation again with a new link (the old link stops working)',
    arity: 2,
    run: (args) =>
      withServices(async (services) => {
        const tenant = await requireTenant(services, args[0]!);
        print(await resendInvitation(services, operatorPrincipal(tenant.id), args[1]!));
      }),
  },
  {
    name: ['invite', 'revoke'],
    usage: 'invite revoke <tenant> <invitationId>',
    summary: 'Revoke a pending invitation',
    arity: 2,
    run: (args) =>
      withServices(async (services) => {
        const tenant = await requireTenant(services, args[0]!);
        await revokeInvitation(services, operatorPrincipal(tenant.id), args[1]!);
        print('Revoked.');
      }),
  },
  {
    name: ['bulk-invite'],
    usage: 'bulk-invite <tenant> <file.csv>',
    summary:
      'Invite every row of a CSV (email,displayName,redirectUrl,message,language); results in <file>.results.csv',
    arity: 2,
    run: (args) =>
      withServices(async (services) => {
        const { job } = await bulkInvite(services, args[0]!, args[1]!);
        print({
          id: job.id,
          status: job.status,
          invited: job.invited,
          reinvited: job.reinvited,
          failed: job.failed,
          skipped: job.skipped,
        });
      }),
  },
  {
    name: ['outbox', 'status'],
    usage: 'outbox status',
    summary: 'Count queued, sent and failed mails',
    arity: 0,
    run: () => withServices(async (services) => print(await outboxStatus(services))),
  },
  {
    name: ['operator', 'token'],
    usage: 'operator token [--description d]',
    summary: 'Create an instance operator token (shown once)',
    arity: 0,
    options: { description: { type: 'string' } },
    run: (_args, o) =>
      withServices(async (services) =>
        print(await createOperatorToken(services, (o.description as string) ?? 'cli')),
      ),
  },
  ...identityProviderCommands(validated, print),
];
