import type { ParseArgsConfig } from 'node:util';
import { operatorActor, operatorPrincipal } from '../auth/principal.js';
import { loadConfig } from '../config/index.js';
import { connectDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { FoyerError } from '../errors/catalogue.js';
import { resendInvitation, revokeInvitation } from '../invitations/operations.js';
import { invitationBody } from '../invitations/schemas.js';
import { invite } from '../invitations/service.js';
import { outboxStatus } from '../mail/index.js';
import { rotateSigningKeys } from '../oidc/keys.js';
import { createOperatorToken } from '../tenants/operator-tokens.js';
import { provisionTenant } from '../tenants/provision.js';
import { addDomain, requireTenant, verifyDomain } from '../tenants/service.js';
import { listTenants } from '../tenants/store.js';
import { createUser } from '../users/service.js';
import { withServices } from './context.js';

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

export const commands: Command[] = [
  {
    name: ['migrate'],
    usage: 'migrate',
    summary: 'Apply pending database migrations',
    arity: 0,
    async run() {
      const database = await connectDatabase(loadConfig(process.env).database.url);
      try {
        const applied = await migrateToLatest(database.db, database.schema);
        print(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await database.close();
      }
    },
  },
  {
    name: ['tenant', 'create'],
    usage: 'tenant create <displayName> [--slug s] [--admin-email e]',
    summary: 'Create a tenant with its admin and automation app',
    arity: 1,
    options: { slug: { type: 'string' }, 'admin-email': { type: 'string' }, language: { type: 'string' } },
    run: (args, o) =>
      withServices(async (services) =>
        print(
          await provisionTenant(
            services,
            {
              displayName: args[0]!,
              slug: o.slug as string | undefined,
              adminEmail: o['admin-email'] as string | undefined,
              defaultLanguage: o.language as string | undefined,
            },
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
      withServices(async (services) =>
        print(await addDomain(services, args[0]!, args[1]!, operatorActor('cli'))),
      ),
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
    usage: 'user create <tenant> <userPrincipalName> --name n --password p',
    summary: 'Create a member user',
    arity: 2,
    options: { name: { type: 'string' }, password: { type: 'string' } },
    run: (args, o) =>
      withServices(async (services) => {
        const tenant = await requireTenant(services, args[0]!);
        const upn = args[1]!;
        if (typeof o.password !== 'string') throw new Error('--password is required');
        const user = await createUser(services, operatorPrincipal(tenant.id), {
          accountEnabled: true,
          displayName: (o.name as string | undefined) ?? upn.split('@')[0]!,
          mailNickname: upn.split('@')[0]!,
          userPrincipalName: upn,
          passwordProfile: { password: o.password },
        });
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
    usage: 'invite <tenant> <email> --redirect url [--name n] [--send] [--language l]',
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
        const parsed = invitationBody.safeParse({
          invitedUserEmailAddress: args[1],
          inviteRedirectUrl: o.redirect ?? `${services.config.baseUrl}/${tenant.slug}/myapps`,
          ...(o.name && { invitedUserDisplayName: o.name }),
          sendInvitationMessage: o.send === true,
          // No custom message: the CLI sends as an application, and app-only invitations carry none (§4.4).
          ...(o.language && { invitedUserMessageInfo: { messageLanguage: o.language } }),
        });
        if (!parsed.success) {
          throw new FoyerError(
            'badRequest',
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          );
        }
        print(await invite(services, operatorPrincipal(tenant.id), parsed.data));
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
];
