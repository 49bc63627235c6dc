import type * as z from 'zod';
import { operatorPrincipal } from '../auth/principal.js';
import type { Command } from '../cli/commands.js';
import { withServices } from '../cli/context.js';
import { requireTenant } from '../tenants/service.js';
import { createProviderBody, OIDC_TYPE, SOCIAL_TYPE } from './schemas.js';
import { createIdentityProvider, deleteIdentityProvider, listIdentityProviders } from './service.js';

type Validate = <S extends z.ZodType>(schema: S, input: unknown) => z.infer<S>;
type Print = (value: unknown) => void;

/**
 * `foyer idp add|list|remove`: the identity providers of a tenant, through the same schema and service as
 * /v1.0/identity/identityProviders (metadata checked, secret encrypted, audited as the operator).
 */
export function identityProviderCommands(validated: Validate, print: Print): Command[] {
  return [
    {
      name: ['idp', 'add'],
      usage:
        'idp add <tenant> <displayName> --client-id id --client-secret s (--metadata-url url [--domains a,b] [--scope s] | --google)',
      summary:
        'Add an OpenID Connect identity provider (or the Google preset); prints the callback URL to register',
      arity: 2,
      options: {
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'metadata-url': { type: 'string' },
        domains: { type: 'string' },
        scope: { type: 'string' },
        google: { type: 'boolean' },
      },
      run: (args, o) =>
        withServices(async (services) => {
          const tenant = await requireTenant(services, args[0]!);
          const common = { displayName: args[1], clientId: o['client-id'], clientSecret: o['client-secret'] };
          const body = validated(
            createProviderBody,
            o.google === true
              ? { '@odata.type': SOCIAL_TYPE, identityProviderType: 'Google', ...common }
              : {
                  '@odata.type': OIDC_TYPE,
                  ...common,
                  metadataUrl: o['metadata-url'],
                  ...(typeof o.domains === 'string' && { domains: o.domains.split(',').filter(Boolean) }),
                  ...(typeof o.scope === 'string' && { scope: o.scope }),
                },
          );
          print(
            await createIdentityProvider(services, operatorPrincipal(tenant.id), body, services.ids.uuid()),
          );
        }),
    },
    {
      name: ['idp', 'list'],
      usage: 'idp list <tenant>',
      summary: "List a tenant's identity providers (secrets are never shown)",
      arity: 1,
      run: (args) =>
        withServices(async (services) => {
          const tenant = await requireTenant(services, args[0]!);
          print(await listIdentityProviders(services, operatorPrincipal(tenant.id)));
        }),
    },
    {
      name: ['idp', 'remove'],
      usage: 'idp remove <tenant> <id>',
      summary: 'Remove an identity provider (refused while guests sign in with it)',
      arity: 2,
      run: (args) =>
        withServices(async (services) => {
          const tenant = await requireTenant(services, args[0]!);
          await deleteIdentityProvider(services, operatorPrincipal(tenant.id), args[1]!, services.ids.uuid());
          print('Removed.');
        }),
    },
  ];
}
