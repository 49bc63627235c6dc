import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { MAX_BULK_FILE_BYTES } from './csv.js';
import { bulkJobResults, getBulkJob, startBulkInvitation } from './service.js';

const jobParams = z.object({ id: z.string().uuid() });
const bulkQuery = z.object({
  validateOnly: z.enum(['true', 'false']).optional(),
  fileName: z.string().max(255).optional(),
});

/**
 * Bulk invitations (a Foyer extension, PRODUCT §7): POST a `text/csv` file, follow the job, download the
 * results. The file's rows go through the same invitation service as POST /invitations.
 */
export async function bulkInvitationRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  // The raw bytes: the encoding is checked (UTF-8, BOM or not) before anything reads them as text.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: MAX_BULK_FILE_BYTES },
    (_r, body, done) => done(null, body),
  );

  app.post(
    '/invitations/bulk',
    { bodyLimit: MAX_BULK_FILE_BYTES, schema: { tags: ['invitations'], querystring: bulkQuery } },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) {
        throw new FoyerError(
          'unsupportedMediaType',
          "Send the file as the request body with 'Content-Type: text/csv'.",
        );
      }
      const validateOnly = request.query.validateOnly === 'true';
      const { report, job } = await startBulkInvitation(services, request.principal, request.body, {
        validateOnly,
        fileName: request.query.fileName ?? null,
      });
      if (!job) return reply.status(200).send(report);
      return reply
        .status(202)
        .header('location', `${services.config.baseUrl}/v1.0/invitations/bulk/${job.id}`)
        .send(job);
    },
  );

  app.get(
    '/invitations/bulk/:id',
    { schema: { tags: ['invitations'], params: jobParams } },
    async (request) => getBulkJob(services, request.principal, request.params.id),
  );

  app.get(
    '/invitations/bulk/:id/results',
    { schema: { tags: ['invitations'], params: jobParams } },
    async (request, reply) => {
      const csv = await bulkJobResults(services, request.principal, request.params.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="bulk-${request.params.id}.results.csv"`)
        .send(csv);
    },
  );
}
