/**
 * Delegated permissions on the directory API (PRODUCT §2, issue: "`scp` holds the delegated permissions granted to
 * the app"). Every application registered in a tenant holds these by default, as Entra's admin-consented
 * defaults; a call also needs the signed-in user's own right (src/auth).
 */
import { defaultDelegatedScopes } from '../auth/permissions.js';

const DEFAULT_DELEGATED_PERMISSIONS = defaultDelegatedScopes;

/** The scopes the directory API accepts for delegated tokens: `{base}/.default` or `{base}/<permission>`. */
export function delegatedScopes(directoryApi: string): string {
  return [
    `${directoryApi}/.default`,
    ...DEFAULT_DELEGATED_PERMISSIONS.map((p) => `${directoryApi}/${p}`),
  ].join(' ');
}

/** `scp` for a granted scope string: `.default` is every permission the app holds; otherwise those named. */
export function scpOf(scope: string | undefined, directoryApi: string): string {
  const granted = new Set<string>();
  for (const item of (scope ?? '').split(' ')) {
    if (!item.startsWith(`${directoryApi}/`)) continue;
    const name = item.slice(directoryApi.length + 1);
    if (name === '.default') for (const permission of DEFAULT_DELEGATED_PERMISSIONS) granted.add(permission);
    else if ((DEFAULT_DELEGATED_PERMISSIONS as readonly string[]).includes(name)) granted.add(name);
  }
  return [...granted].join(' ');
}
