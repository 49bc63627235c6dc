import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';
import { MAX_BULK_FILE_BYTES } from '../bulk/csv.js';
import { listBulkJobs, startHeldBulkJob, validateAndHold } from '../bulk/held.js';
import { bulkJobResults, getBulkJob } from '../bulk/service.js';
import { FoyerError } from '../errors/catalogue.js';
import { GUID_PATTERN } from '../graph/odata/lexer.js';
import { ensurePortalClient } from '../portal/client.js';
import { loginUrl, resolveTenant } from '../portal/context.js';
import { portalSession } from '../portal/session.js';
import { scriptPageHeaders } from '../web/layout.js';
import { limitSignIns } from '../web/limits.js';
import { registerMultipart } from '../web/multipart.js';
import { formErrorOf } from './form-errors.js';
import { consoleRoute } from './guard.js';
import { bulkJobPage, bulkUploadPage } from './pages/bulk.js';

const hide = { schema: { hide: true } };

interface UploadedFile {
  name: string;
  bytes: Buffer;
}

const isUpload = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).bytes);

/** Job ids are UUIDs; anything else is a 404 before any query (a forged id never reaches the database). */
const jobId = (id: string | undefined): string => {
  if (!id || !GUID_PATTERN.test(id)) {
    throw new FoyerError('notFound', 'This bulk invitation job does not exist.');
  }
  return id;
};

/**
 * Bulk invitations in the console: upload → validation report (the file kept as a `validated` job of this
 * tenant) → Start → the job page with live progress → the results CSV. Every step goes through src/bulk, the
 * same service, checks and CSV code as POST /v1.0/invitations/bulk.
 */
export async function consoleBulkRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get(
    '/:tenant/admin/bulk',
    hide,
    consoleRoute(services, 'bulk', async (ctx, request, reply) => {
      const expired = (request.query as { expired?: unknown } | undefined)?.expired === '1';
      return reply.send(bulkUploadPage(ctx, await listBulkJobs(services, ctx.principal), { expired }));
    }),
  );

  // Multipart: the CSRF token is a field, the file is kept in memory with its name (the CSV is read whole
  // anyway, to check its encoding and header before anything is stored).
  await app.register(async (upload) => {
    // Before the body is read: a file of up to 32 MiB is buffered for a signed-in person only (as the API
    // authenticates before reading its text/csv body). Nobody signed in goes to the sign-in, back to this page.
    upload.addHook('onRequest', async (request, reply) => {
      const tenant = await resolveTenant(services, (request.params as { tenant: string }).tenant);
      const appId = await ensurePortalClient(services, tenant.id);
      if (await portalSession(services, request, tenant.id, appId)) return;
      if (await limitSignIns(services, request, reply)) return reply;
      // A browser cannot be handed a file back, so the page says to choose it again after the sign-in.
      return reply.redirect(loginUrl(tenant.id, `/${tenant.id}/admin/bulk?expired=1`), 303);
    });
    await registerMultipart(upload, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_BULK_FILE_BYTES, files: 1, fields: 10, parts: 12 },
      async onFile(part) {
        (part as unknown as { value: UploadedFile }).value = {
          name: part.filename,
          bytes: await part.toBuffer(),
        };
      },
    });
    upload.post(
      '/:tenant/admin/bulk',
      hide,
      consoleRoute(services, 'bulk', async (ctx, request, reply) => {
        const file = (request.body as Record<string, unknown> | undefined)?.file;
        try {
          if (!isUpload(file) || file.bytes.length === 0) {
            throw new FoyerError('badRequest', 'Choose a CSV file to upload.');
          }
          const job = await validateAndHold(
            services,
            ctx.principal,
            file.bytes,
            file.name.slice(0, 255) || null,
          );
          return reply.redirect(`${ctx.base}/bulk/${job.id}`, 303);
        } catch (error) {
          const refused = formErrorOf(error);
          const jobs = await listBulkJobs(services, ctx.principal);
          return reply.status(refused.status).send(bulkUploadPage(ctx, jobs, { error: refused.message }));
        }
      }),
    );
  });

  app.post(
    '/:tenant/admin/bulk/:id/start',
    hide,
    consoleRoute(services, 'bulk', async (ctx, request, reply) => {
      const id = jobId(request.params.id);
      try {
        await startHeldBulkJob(services, ctx.principal, id);
      } catch (error) {
        const refused = formErrorOf(error);
        const job = await getBulkJob(services, ctx.principal, id);
        return reply.status(refused.status).send(bulkJobPage(ctx, job, { error: refused.message }));
      }
      return reply.redirect(`${ctx.base}/bulk/${id}`, 303);
    }),
  );

  app.get(
    '/:tenant/admin/bulk/:id',
    hide,
    consoleRoute(services, 'bulk', async (ctx, request, reply) => {
      const job = await getBulkJob(services, ctx.principal, jobId(request.params.id));
      // Only a running job's page loads the progress script; the others keep the strictest policy.
      if (job.status === 'running') reply.headers(scriptPageHeaders);
      return reply.send(bulkJobPage(ctx, job));
    }),
  );

  /** What the page's script polls: the job as the API shows it, for this signed-in session. */
  app.get(
    '/:tenant/admin/bulk/:id/progress',
    hide,
    consoleRoute(services, 'bulk', async (ctx, request, reply) => {
      const job = await getBulkJob(services, ctx.principal, jobId(request.params.id));
      return reply.type('application/json; charset=utf-8').send(job);
    }),
  );

  app.get(
    '/:tenant/admin/bulk/:id/results',
    hide,
    consoleRoute(services, 'bulk', async (ctx, request, reply) => {
      const id = jobId(request.params.id);
      const csv = await bulkJobResults(services, ctx.principal, id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="bulk-${id}.results.csv"`)
        .send(csv);
    }),
  );
}
