import { randomBytes, randomUUID } from 'node:crypto';

/** Identifier and secret generation as a parameter of buildApp, so tests can make it deterministic. */
export interface Ids {
  uuid(): string;
  /** URL-safe random token carrying `bytes` bytes of entropy. */
  token(bytes?: number): string;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
};
