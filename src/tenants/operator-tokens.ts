import type { Services } from '../app/services.js';
import { FoyerError } from '../errors/catalogue.js';
import { hashSecret } from '../platform/secrets.js';

/** Instance-operator tokens: random, shown once, stored as a keyed hash. */
export async function createOperatorToken(services: Services, description: string): Promise<string> {
  const token = services.ids.token(32);
  await services.db
    .insertInto('operator_tokens')
    .values({
      id: services.ids.uuid(),
      token_hash: hashSecret(token, services.config.secret),
      description,
      created_at: services.clock.now().toISOString(),
    })
    .execute();
  return token;
}

export async function requireOperator(services: Services, authorization: string | undefined): Promise<void> {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (!match) throw new FoyerError('unauthenticated', 'An instance operator token is required.');
  const row = await services.db
    .selectFrom('operator_tokens')
    .select('id')
    .where('token_hash', '=', hashSecret(match[1]!, services.config.secret))
    .executeTakeFirst();
  if (!row) throw new FoyerError('unauthenticated', 'The instance operator token is not valid.');
}
