import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Services } from '../app/services.js';
import { type CommitGroup, commitGroupOf } from '../db/group-commit.js';
import { isUnstorableKey } from '../platform/text.js';
import {
  consumePayload,
  deleteGrantWithArtefacts,
  deletePayload,
  deletePayloadsByGrant,
  findPayload,
  findPayloadBy,
  findPayloadWithGrant,
  type PayloadRow,
  upsertPayload,
} from './store.js';

/** oidc-provider's context of the request being served (its `Provider.ctx`), if any. */
export type CurrentRequest = () => object | undefined;

/** Models oidc-provider reads the grant of right after finding one (the refresh and authorization-code grants). */
const GRANT_BEARERS = new Set(['RefreshToken', 'AuthorizationCode']);

/**
 * Grants read together with the token that names them, per request, until that request's Grant.find takes them:
 * one statement instead of two on every refresh and code exchange. Keyed by the request's context, so a reading
 * never serves another request, and it goes with its request.
 */
const grantsReadAhead = new WeakMap<object, Map<string, PayloadRow | undefined>>();

/**
 * oidc-provider's storage adapter (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js)
 * over the `oidc_payloads` table, one instance per tenant and model. Expiry is enforced on read, so an expired
 * row is never served even before the purge job removes it.
 *
 * Writes go through the commit group (src/db/group-commit.ts): on SQLite the artefacts of concurrent token
 * requests (a refresh consumes its token, stores the successor and the access token) share one commit, each
 * call answered only once that commit has returned, and a write alone runs as a plain autocommit statement.
 * Reads stay plain: while a group's transaction holds SQLite's one connection they wait for its COMMIT, so
 * they never see a write before it is committed.
 */
export class SqlAdapter implements Adapter {
  private readonly writes: CommitGroup;

  constructor(
    private readonly services: Pick<Services, 'db' | 'dialect' | 'clock'>,
    private readonly tenantId: string,
    private readonly model: string,
    /** The error a lost race to consume an artefact answers with (oidc-provider's invalid_grant). */
    private readonly replayed: () => Error,
    private readonly currentRequest: CurrentRequest = () => undefined,
  ) {
    this.writes = commitGroupOf(services.db, services.dialect);
  }

  private nowSeconds(): number {
    return Math.floor(this.services.clock.now().getTime() / 1000);
  }

  private toPayload(row: PayloadRow | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && Number(row.expires_at) <= this.nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: Number(row.consumed_at) };
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const row = {
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
      userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expiresAt: typeof expiresIn === 'number' ? this.nowSeconds() + expiresIn : null,
    };
    await this.writes.statement((db) => upsertPayload(db, this.tenantId, row));
  }

  // Ids, codes and uids come from clients: one no artefact can have is unknown, not a database error.
  async find(id: string): Promise<AdapterPayload | undefined> {
    if (isUnstorableKey(id)) return undefined;
    if (GRANT_BEARERS.has(this.model)) return this.findWithGrant(id);
    if (this.model === 'Grant') {
      const ahead = this.takeReadAhead(id);
      if (ahead) return this.toPayload(ahead.row);
    }
    return this.findStored(id);
  }

  /** The artefact as the table holds it now, with no reading kept for a later find. */
  private async findStored(id: string): Promise<AdapterPayload | undefined> {
    return this.toPayload(await findPayload(this.services.db, this.tenantId, this.model, id));
  }

  private async findWithGrant(id: string): Promise<AdapterPayload | undefined> {
    const found = await findPayloadWithGrant(this.services.db, this.tenantId, this.model, id);
    const request = this.currentRequest();
    if (found?.grantId && request) {
      let grants = grantsReadAhead.get(request);
      if (!grants) {
        grants = new Map();
        grantsReadAhead.set(request, grants);
      }
      grants.set(found.grantId, found.grant);
    }
    return this.toPayload(found?.token);
  }

  /** The grant read with this request's token, once (a later find of it reads the table again). */
  private takeReadAhead(id: string): { row: PayloadRow | undefined } | undefined {
    const request = this.currentRequest();
    const grants = request && grantsReadAhead.get(request);
    if (!grants?.has(id)) return undefined;
    const row = grants.get(id);
    grants.delete(id);
    return { row };
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (isUnstorableKey(userCode)) return undefined;
    return this.toPayload(
      await findPayloadBy(this.services.db, this.tenantId, this.model, 'user_code', userCode),
    );
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (isUnstorableKey(uid)) return undefined;
    return this.toPayload(await findPayloadBy(this.services.db, this.tenantId, this.model, 'uid', uid));
  }

  /**
   * oidc-provider reads an artefact, sees it unconsumed, then consumes it: two requests with one refresh token (or
   * code) can both pass the check. Only one consumes it here; the other is a replay, answered as oidc-provider
   * answers one found consumed: the grant is revoked (the winner's tokens too, RFC 9700 §4.14.2) and the request
   * refused. The grant row goes with its artefacts: the winner may store its successor token only after this
   * revocation ran (on PostgreSQL the two requests truly run at once), and that token dies with the grant.
   */
  async consume(id: string): Promise<void> {
    const now = this.nowSeconds();
    const consumed = await this.writes.statement((db) =>
      consumePayload(db, this.tenantId, this.model, id, now),
    );
    if (consumed) return;
    const grantId = (await this.findStored(id))?.grantId;
    if (typeof grantId === 'string') {
      await this.writes.statement((db) => deleteGrantWithArtefacts(db, this.tenantId, grantId));
    }
    throw this.replayed();
  }

  async destroy(id: string): Promise<void> {
    await this.writes.statement((db) => deletePayload(db, this.tenantId, this.model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.writes.statement((db) => deletePayloadsByGrant(db, this.tenantId, grantId));
  }
}
