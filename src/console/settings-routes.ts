import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { resolveTenant } from '../portal/context.js';
import { takeStash } from '../portal/stash.js';
import {
  MAX_LOGO_BYTES,
  readLogo,
  removeLogo,
  setLogo,
  setPrivacyStatementUrl,
} from '../tenants/branding.js';
import { registerMultipart } from '../web/multipart.js';
import { field, formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { brandingPage } from './pages/branding.js';
import { settingsPage, submitSettings } from './pages/settings.js';

const hide = { schema: { hide: true } };

/** Collaboration settings and branding (Global Administrators), and the public logo route. */
export async function consoleSettingsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/settings',
    hide,
    consoleRoute(services, 'settings', async (ctx, request, reply) => {
      const restored = await takeStash(
        services,
        ctx.tenant.id,
        `${ctx.base}/settings`,
        request.query.restore,
      );
      return reply.send(await settingsPage(services, ctx, restored ? { restored } : {}));
    }),
  );
  app.post(
    '/:tenant/admin/settings',
    hide,
    consoleRoute(services, 'settings', async (ctx, request, reply) => {
      const result = await submitSettings(services, ctx, request.body ?? {}, request.id);
      return reply.status(result.status).send(result.page);
    }),
  );

  app.get(
    '/:tenant/admin/branding',
    hide,
    consoleRoute(services, 'branding', async (ctx, _request, reply) => reply.send(brandingPage(ctx))),
  );

  /** After a change, the page reads the tenant again (its logo and privacy URL changed). */
  const brandingChange = (
    change: (
      ctx: Parameters<Parameters<typeof consoleRoute>[2]>[0],
      body: Record<string, unknown>,
    ) => Promise<void>,
  ) =>
    consoleRoute(services, 'branding', async (ctx, request, reply) => {
      try {
        await change(ctx, (request.body ?? {}) as Record<string, unknown>);
      } catch (error) {
        const refused = formErrorOf(error);
        return reply.status(refused.status).send(brandingPage(ctx, { error: refused.message }));
      }
      const tenant = await resolveTenant(services, ctx.tenant.id);
      return reply.send(brandingPage({ ...ctx, tenant }, { saved: true }));
    });

  // The logo form is multipart: fields (the CSRF token among them) and the file land in the body as values.
  await app.register(async (upload) => {
    await registerMultipart(upload, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_LOGO_BYTES, files: 1, fields: 10, parts: 12 },
    });
    upload.post(
      '/:tenant/admin/branding/logo',
      hide,
      brandingChange(async (ctx, body) => {
        const bytes = body.logo;
        await setLogo(services, ctx.principal, Buffer.isBuffer(bytes) ? bytes : Buffer.alloc(0));
      }),
    );
  });
  app.post(
    '/:tenant/admin/branding/logo/remove',
    hide,
    brandingChange((ctx) => removeLogo(services, ctx.principal)),
  );
  app.post(
    '/:tenant/admin/branding/privacy',
    hide,
    brandingChange((ctx, body) => setPrivacyStatementUrl(services, ctx.principal, field(body, 'privacy'))),
  );

  // Public: the logo shows on sign-in pages and in mail, to people not signed in.
  app.get('/:tenant/branding/logo', hide, async (request, reply) => {
    const tenant = await resolveTenant(services, (request.params as { tenant: string }).tenant);
    const logo = await readLogo(services, tenant.id);
    if (!logo) return reply.status(404).send();
    return reply
      .header('content-type', logo.content_type)
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(Buffer.from(logo.data, 'base64'));
  });
}
