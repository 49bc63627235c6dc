import type { ResolvedConfig } from '../app/services.js';
import { devMailboxEnabled } from '../mail/index.js';
import type { BootstrapResult } from './index.js';

/**
 * What an operator reads after start: where to go, and on a first start the bootstrap values. Development shows
 * them once on stdout (a newcomer's terminal); production never prints a secret (stdout there is collected by
 * a log system), it names the file that holds them.
 */
export function printWelcome(config: ResolvedConfig, bootstrap: BootstrapResult | undefined, file?: string) {
  const lines = ['', `Foyer is running at ${config.baseUrl} (${config.env} mode)`, ''];
  if (bootstrap && config.env === 'production') {
    lines.push(
      `First start: created the bootstrap tenant ${bootstrap.tenantName} (slug ${bootstrap.tenantSlug}, id ${bootstrap.tenantId}).`,
      file
        ? `  Its generated credentials are in ${file} (mode 0600): read them, store them safely, delete the file.`
        : '  Its credentials are the FOYER_BOOTSTRAP_* values you configured.',
      '',
    );
  } else if (bootstrap) {
    lines.push(
      'First start: created the bootstrap tenant. These values are shown once' +
        (file ? ` and saved to ${file} (mode 0600):` : ':'),
      `  tenant            ${bootstrap.tenantName} (slug ${bootstrap.tenantSlug}, id ${bootstrap.tenantId})`,
      `  admin             ${bootstrap.adminUserPrincipalName}`,
      `  admin password    ${bootstrap.adminPassword}`,
      `  client id         ${bootstrap.clientId}`,
      `  client secret     ${bootstrap.clientSecret}`,
      `  operator token    ${bootstrap.operatorToken}`,
      '',
    );
  }
  const slug = bootstrap?.tenantSlug ?? '<tenant>';
  lines.push(
    `  OIDC discovery    ${config.baseUrl}/${slug}/v2.0/.well-known/openid-configuration`,
    `  token endpoint    ${config.baseUrl}/${slug}/oauth2/v2.0/token`,
    `  directory API     ${config.baseUrl}/v1.0  (OpenAPI: ${config.baseUrl}/openapi.json)`,
  );
  lines.push(
    `  admin console     ${config.baseUrl}/${slug}/admin  (sign in as the admin above)`,
    `  My Apps           ${config.baseUrl}/${slug}/myapps`,
  );
  lines.push(`  demo app          ${config.baseUrl}/demo  (sign in as the admin above)`);
  if (devMailboxEnabled(config)) lines.push(`  dev mailbox       ${config.baseUrl}/dev/mailbox`);
  lines.push('', 'See README.md for a walk-through with curl.', '');
  // Deliberately stdout, not the JSON log: secrets must never reach log storage.
  process.stdout.write(lines.join('\n'));
}
