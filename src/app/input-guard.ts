import type { FastifyInstance } from 'fastify';
import { FoyerError } from '../errors/catalogue.js';
import { nulPath } from '../platform/text.js';

// `%00` is the only way a NUL reaches a URL (the HTTP parser refuses a raw one in the request line).
const ENCODED_NUL = /%00/;

/**
 * One gate for every route, before any parameter reaches SQL: no NUL character in the path, the query or the
 * body (JSON or form). PostgreSQL cannot store one; without this gate the same request was a 500 there and a
 * success on SQLite. Lengths are the route schemas' job.
 */
export function registerInputGuard(app: FastifyInstance): void {
  // Callback-style hooks: they run on every request, and an async one costs a promise and a tick each time.
  app.addHook('onRequest', (request, _reply, done) => {
    if (ENCODED_NUL.test(request.url)) {
      done(
        new FoyerError('badRequest', 'The request URL contains a NUL character (%00), which is not allowed.'),
      );
      return;
    }
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const where = nulPath(request.body);
    if (where) {
      done(new FoyerError('badRequest', `Invalid body: ${where}: a NUL character is not allowed.`));
      return;
    }
    done();
  });
}
