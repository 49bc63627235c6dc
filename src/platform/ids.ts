import { randomBytes, randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

/** Identifier and secret generation as a parameter of buildApp, so tests can make it deterministic. */
export interface Ids {
  uuid(): string;
  /**
   * The id of a row many requests insert (a user, an invitation, a queued mail, an audit or sign-in entry): a
   * UUID of version 7, which begins with its creation time, so an instance's new rows land side by side at the
   * end of the primary key's index instead of on a random page each. On SQLite every page an invitation
   * touches is written again at its commit: random ids made half of them. The time it reveals is the object's
   * createdDateTime, shown to its readers anyway; never use it for a secret.
   */
  objectId(): string;
  /** URL-safe random token carrying `bytes` bytes of entropy. */
  token(bytes?: number): string;
}

// The random part of v7 ids, drawn 4 KiB at a time as Node's randomUUID does: a 16-byte draw per id (uuid's
// default) cost more than building the rest of the id.
let pool = Buffer.alloc(0);
let drawn = 0;
function sixteenRandomBytes(): Uint8Array {
  if (drawn + 16 > pool.length) {
    pool = randomBytes(4096);
    drawn = 0;
  }
  drawn += 16;
  return pool.subarray(drawn - 16, drawn);
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  objectId: () => v7({ random: sixteenRandomBytes() }),
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
};
