import { FoyerError } from '../errors/catalogue.js';
import { allPermissions, type Operation, operations } from './permissions.js';
import type { Principal } from './principal.js';
import { userHasRight } from './rights.js';

/**
 * The one question every service asks: may this caller perform this operation? Applications by their granted
 * permissions; people by a delegated scope AND their own right (role, user type, guest access level); the
 * instance operator always.
 */
export function can(principal: Principal, operation: Operation): boolean {
  const rule = operations[operation];
  switch (principal.kind) {
    case 'operator':
      return true;
    case 'app':
      return rule.app.some((permission) => principal.permissions.includes(permission));
    case 'user':
      return (
        rule.scopes.some((scope) => principal.scopes.includes(scope)) && userHasRight(principal, operation)
      );
  }
}

export function denied(message: string): FoyerError {
  return new FoyerError('forbidden', message);
}

/** Throws Graph's 403 (Authorization_RequestDenied) unless the caller may perform the operation. */
export function authorize(principal: Principal, operation: Operation): void {
  if (can(principal, operation)) return;
  const granting = principal.kind === 'user' ? operations[operation].scopes : operations[operation].app;
  throw denied(
    principal.kind === 'user'
      ? `Insufficient privileges to complete the operation. Requires a delegated permission among ${granting.join(', ')} and a user allowed to do it.`
      : `Insufficient privileges to complete the operation. Requires one of: ${granting.join(', ')}.`,
  );
}

/** Global and User Administrators (people), or the equivalent permissions (applications), or the operator. */
export function isAdministrator(principal: Principal): boolean {
  return can(principal, 'administerInvitations');
}

/** Global Administrator (people), Directory.ReadWrite.All (applications), or the operator. */
export function isPrivileged(principal: Principal): boolean {
  switch (principal.kind) {
    case 'operator':
      return true;
    case 'app':
      return principal.permissions.includes('Directory.ReadWrite.All');
    case 'user':
      return principal.directoryRoles.includes('Global Administrator');
  }
}

/** The operations a set of application permissions opens. */
function operationsOf(permissions: readonly string[]): Set<Operation> {
  const granted = new Set<Operation>();
  for (const [operation, rule] of Object.entries(operations) as Array<
    [Operation, { app: readonly string[] }]
  >) {
    if (rule.app.some((permission) => permissions.includes(permission))) granted.add(operation);
  }
  return granted;
}

/**
 * Closes the credential escalation: a caller may mint credentials for an application, or grant it permissions,
 * only when everything that application can then do, the caller can already do itself. Compared by the
 * operations the permissions open (so Directory.ReadWrite.All covers User.Read.All), not by their names.
 */
export function assertWithinOwnPermissions(
  principal: Principal,
  applicationPermissions: readonly string[],
  what: string,
): void {
  const beyond = [...operationsOf(applicationPermissions)].filter((operation) => !can(principal, operation));
  if (beyond.length === 0) return;
  const exceeding = applicationPermissions.filter((permission) =>
    [...operationsOf([permission])].some((operation) => beyond.includes(operation)),
  );
  throw denied(
    `Insufficient privileges to ${what}: the application holds permissions the caller does not (${exceeding.join(', ')}).`,
  );
}

export const isKnownPermission = (value: string): boolean =>
  (allPermissions as readonly string[]).includes(value);
