import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import type { UserPrincipal } from '../auth/principal.js';
import { FoyerError } from '../errors/catalogue.js';
import type { TenantRow } from '../tenants/store.js';
import { findTenantByRef } from '../tenants/store.js';
import { assertCsrf, csrfToken } from '../web/csrf.js';
import { type PageLanguage, pageLanguage } from '../web/i18n/index.js';
import { limitSignIns } from '../web/limits.js';
import { ensurePortalClient } from './client.js';
import { portalSession } from './session.js';
import { stashForm } from './stash.js';

/** Everything a console or My Apps page needs about who asks, where, and in which language. */
export interface PortalContext {
  tenant: TenantRow;
  principal: UserPrincipal;
  lang: PageLanguage;
  csrf: string;
  idToken: string;
  /** The path prefix of this tenant's surface, by id: /{tenantId}/admin or /{tenantId}/myapps. */
  base: string;
}

export async function resolveTenant(services: Services, ref: string): Promise<TenantRow> {
  const tenant = ref.length <= 256 ? await findTenantByRef(services.db, ref) : undefined;
  if (!tenant) throw new FoyerError('notFound', `Tenant '${ref}' does not exist.`);
  return tenant;
}

const pathOf = (url: string) => {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
};

export const loginUrl = (tenantId: string, returnTo: string) =>
  `/${tenantId}/portal/login?return=${encodeURIComponent(returnTo)}`;

/**
 * The signed-in context of a page, or a redirect to sign in (answered here; the caller returns undefined).
 * A POST is CSRF-checked first; when its session has expired, its fields are stashed and come back after the
 * sign-in (the GET of the same path with ?restore=…).
 */
export async function portalContext(
  services: Services,
  request: FastifyRequest<{ Params: { tenant: string } }>,
  reply: FastifyReply,
  surface: 'admin' | 'myapps',
): Promise<PortalContext | undefined> {
  const tenant = await resolveTenant(services, request.params.tenant);
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (request.method === 'POST') assertCsrf(services, request, body.csrf);
  const appId = await ensurePortalClient(services, tenant.id);
  const session = await portalSession(services, request, tenant.id, appId);
  if (!session) {
    // Like the sign-in pages: a request that authenticates nobody (and may stash a form) is limited per address.
    if (await limitSignIns(services, request, reply)) return undefined;
    // A form names the page it sits on (`_return`), so an action's POST comes back to that page's GET.
    const own = typeof body._return === 'string' && body._return.startsWith(`/${tenant.id}/${surface}`);
    const canonical = own
      ? pathOf(body._return as string)
      : `/${tenant.id}${pathOf(request.url).slice(request.params.tenant.length + 1)}`;
    let returnTo =
      request.method === 'GET'
        ? `/${tenant.id}${request.url.slice(request.params.tenant.length + 1)}`
        : canonical;
    if (request.method === 'POST') {
      const id = await stashForm(services, tenant.id, canonical, body);
      if (id) returnTo = `${canonical}?restore=${encodeURIComponent(id)}`;
    }
    await reply.redirect(loginUrl(tenant.id, returnTo), 303);
    return undefined;
  }
  return {
    tenant,
    principal: session.principal,
    idToken: session.idToken,
    lang: pageLanguage({ acceptLanguage: request.headers['accept-language'] }),
    csrf: csrfToken(services, request, reply),
    base: `/${tenant.id}/${surface}`,
  };
}
