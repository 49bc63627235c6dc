import type { Services } from '../app/services.js';
import { registerDemoApp } from '../demo/registration.js';
import { isFoyerError } from '../errors/catalogue.js';
import { createOperatorToken } from '../tenants/operator-tokens.js';
import { type ProvisionedTenant, provisionTenant } from '../tenants/provision.js';
import { countTenants } from '../tenants/store.js';

export interface BootstrapResult extends ProvisionedTenant {
  operatorToken: string;
  /** True when any value was generated (and so written to the bootstrap file, see file.ts). */
  generated: boolean;
}

/**
 * On an empty database: a tenant with its Global Administrator and automation application (see
 * tenants/provision.ts) and an instance-operator token. Values come from FOYER_BOOTSTRAP_* when set, else are
 * generated. Returns undefined when the instance already has a tenant (bootstrap happens once).
 */
export async function bootstrapInstance(services: Services): Promise<BootstrapResult | undefined> {
  if ((await countTenants(services.db)) > 0) return undefined;
  const { bootstrap } = services.config;
  const provisioned = await provisionTenant(services, {
    displayName: bootstrap.tenant ?? 'Contoso',
    adminEmail: bootstrap.adminEmail,
    adminPassword: bootstrap.adminPassword,
    clientId: bootstrap.clientId,
    clientSecret: bootstrap.clientSecret,
  }).catch((error: unknown) => {
    // Several instances starting together on one empty database: one bootstraps, the others find it done.
    if (isFoyerError(error) && error.key === 'duplicateValue') return undefined;
    throw error;
  });
  if (!provisioned) return undefined;
  await registerDemoApp(services, provisioned.tenantId);
  const operatorToken = await createOperatorToken(services, 'bootstrap');
  return {
    ...provisioned,
    operatorToken,
    generated: !(bootstrap.adminPassword && bootstrap.clientId && bootstrap.clientSecret),
  };
}

export { bootstrapFileName, writeBootstrapFile } from './file.js';
