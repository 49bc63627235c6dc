import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { Services } from '../app/services.js';
import { trustsPartnerMfa } from '../crosstenant/store.js';
import type { WebSession } from '../sessions/service.js';
import { updateSessionAmr } from '../sessions/store.js';
import { type LoggedFlow, logSignIn, methodOf } from '../signin/log.js';
import { sendPage } from '../signin/steps.js';
import type { MfaLogDetail } from '../signins/attempts.js';
import type { TenantRow } from '../tenants/store.js';
import type { UserRow } from '../users/store.js';
import { csrfToken } from '../web/csrf.js';
import { dictionaryOf, fill, type PageLanguage } from '../web/i18n/index.js';
import { clearMfaFailures, mfaLockedMinutes, recordMfaFailure } from './attempts.js';
import { enrolPage, type MfaPageInput, recoveryCodesPage, verifyPage } from './pages.js';
import {
  checkTotp,
  completeEnrolment,
  findMethod,
  mfaRequired,
  pendingEnrolment,
  useRecoveryCode,
} from './service.js';
import { findSessionMfa, recordSessionMfa } from './store.js';
import { qrCodeDataUrl } from './totp.js';

/**
 * The one MFA gate (PRODUCT §6), called where a resource tenant's login completes: before an OIDC interaction
 * finishes with the login, and before a redemption's redirect to inviteRedirectUrl. It passes when the tenant does
 * not require MFA of this user, when this browser session already passed the tenant's MFA, or when the guest's
 * home tenant (on this instance) is a partner whose MFA the tenant trusts and the home session has `mfa` in its
 * amr. Otherwise it shows the enrolment or the code page, whose forms post to `action` and are handled by
 * submitMfa.
 */
export interface MfaGateInput {
  tenant: TenantRow;
  /** The user object in this tenant: the MFA method belongs to it. */
  user: UserRow;
  session: WebSession;
  language: PageLanguage;
  /** Where the MFA forms post (the flow's own `…/mfa` route). */
  action: string;
  /** Hidden fields the flow needs back (ticket, fresh-sign-in proof); the CSRF token is added here. */
  hidden: Record<string, string>;
  /** Whose sign-in log it is, and which app asked. */
  flow: LoggedFlow;
  correlationId: string;
}

export type MfaGateResult =
  /** Go on: `amr` for the tokens (with `mfa` when it was required and met), `mfa` for the sign-in log. */
  | { kind: 'pass'; amr: string[]; mfa?: MfaLogDetail }
  /** A page was sent; the flow stops here until its form comes back. */
  | { kind: 'shown' };

export const MFA_STEPS = ['enrol', 'verify', 'recovery', 'continue'] as const;
/** The fields of every MFA form. */
export const mfaBody = z.object({
  csrf: z.string().max(200).optional(),
  ticket: z.string().max(200).optional(),
  fresh: z.string().max(100).optional(),
  mfaStep: z.enum(MFA_STEPS).optional(),
  code: z.string().max(40).optional(),
});
export type MfaBody = z.infer<typeof mfaBody>;

/** How long a session's record of passed MFA is kept: the longest browser session (src/sessions). */
const SESSION_MFA_MS = 24 * 3600_000;
const withMfa = (amr: readonly string[]) => [...new Set([...amr, 'mfa'])];

async function satisfaction(services: Services, input: MfaGateInput): Promise<MfaGateResult | 'required'> {
  const { tenant, user, session } = input;
  if (!(await mfaRequired(services, tenant.id, user))) return { kind: 'pass', amr: session.amr };
  const now = services.clock.now().toISOString();
  const done = await findSessionMfa(services.db, tenant.id, session.key, user.id, now);
  if (done) {
    const method = done.method === 'recoveryCode' ? 'recoveryCode' : 'totp';
    return { kind: 'pass', amr: withMfa(session.amr), mfa: { source: 'resourceTenant', method } };
  }
  const home = session.identity.kind === 'member' ? session.identity.tenantId : null;
  if (
    home !== null &&
    home !== tenant.id &&
    session.amr.includes('mfa') &&
    (await trustsPartnerMfa(services.db, tenant.id, home))
  ) {
    return { kind: 'pass', amr: withMfa(session.amr), mfa: { source: 'homeTenant' } };
  }
  return 'required';
}

export async function mfaGate(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: MfaGateInput,
): Promise<MfaGateResult> {
  const met = await satisfaction(services, input);
  if (met !== 'required') return met;
  await showChallenge(services, request, reply, input, { log: true });
  return { kind: 'shown' };
}

/** The enrolment page while the user has no active method, else the code page; logged as an interruption. */
async function showChallenge(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: MfaGateInput,
  options: { log?: boolean; error?: string; recoveryError?: string; status?: number } = {},
) {
  const { tenant, user, session } = input;
  const page: MfaPageInput = {
    tenant,
    language: input.language,
    action: input.action,
    hidden: { ...input.hidden, csrf: csrfToken(services, request, reply) },
    ...(options.error && { error: options.error }),
  };
  const method = await findMethod(services, tenant.id, user.id);
  const enrolled = method?.status === 'active';
  if (options.log) {
    await logSignIn(services, request, input.flow, {
      method: methodOf(session.amr),
      outcome: enrolled ? 'mfaRequired' : 'mfaEnrollmentRequired',
      user,
      identity: session.identity,
      correlationId: input.correlationId,
    });
  }
  if (enrolled) {
    const recovery = options.recoveryError ? { recoveryError: options.recoveryError } : {};
    return sendPage(reply, verifyPage({ ...page, ...recovery }), options.status ?? 200);
  }
  const enrolment = await pendingEnrolment(services, tenant, user);
  const qrCode = await qrCodeDataUrl(enrolment.uri);
  return sendPage(reply, enrolPage({ ...page, qrCode, base32: enrolment.base32 }), options.status ?? 200);
}

/** Remembers that this session passed the tenant's MFA; a member's own tenant's MFA also marks the home session. */
async function satisfy(services: Services, input: MfaGateInput, method: 'totp' | 'recoveryCode') {
  const { tenant, user, session } = input;
  const now = services.clock.now();
  await recordSessionMfa(services.db, tenant.id, {
    session_hash: session.key,
    user_id: user.id,
    method,
    satisfied_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SESSION_MFA_MS).toISOString(),
  });
  // The home session's amr says `mfa` once the member passed their own tenant's MFA: trusted partners accept it.
  if (
    session.identity.kind === 'member' &&
    session.identity.tenantId === tenant.id &&
    !session.amr.includes('mfa')
  ) {
    await updateSessionAmr(services.db, session.key, withMfa(session.amr));
  }
  await clearMfaFailures(services, tenant.id, user.id);
  return { kind: 'pass', amr: withMfa(session.amr), mfa: { source: 'resourceTenant', method } } as const;
}

/**
 * One posted MFA form. Returns `pass` when the flow may go on (the code was right, or the session had already
 * passed), or `shown` after sending the next page (recovery codes after enrolment, or the same page with an error).
 * Wrong codes count towards the lock (src/mfa/attempts.ts) and are logged as failures.
 */
export async function submitMfa(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  input: MfaGateInput,
  body: MfaBody,
): Promise<MfaGateResult> {
  const met = await satisfaction(services, input);
  if (met !== 'required') return met;
  const { tenant, user, session } = input;
  const t = dictionaryOf(input.language);
  const step = body.mfaStep;
  const logged = (factor: 'totp' | 'recoveryCode', outcome: 'mfaFailed' | 'accountLocked') =>
    logSignIn(services, request, input.flow, {
      method: factor,
      outcome,
      user,
      identity: session.identity,
      correlationId: input.correlationId,
    });
  const lockedFor = await mfaLockedMinutes(services, tenant.id, user.id);
  if (lockedFor > 0) {
    await logged(step === 'recovery' ? 'recoveryCode' : 'totp', 'accountLocked');
    const error = fill(t.errorMfaLocked, { minutes: String(lockedFor) });
    await showChallenge(services, request, reply, input, { error, status: 429 });
    return { kind: 'shown' };
  }
  const method = await findMethod(services, tenant.id, user.id);
  const code = body.code ?? '';
  const expected = step === 'enrol' ? 'pending' : 'active';
  if (
    !method ||
    method.status !== expected ||
    (step !== 'enrol' && step !== 'verify' && step !== 'recovery')
  ) {
    // A stale form (reset meanwhile, enrolled in another tab): show what is asked now.
    await showChallenge(services, request, reply, input);
    return { kind: 'shown' };
  }
  const factor = step === 'recovery' ? 'recoveryCode' : 'totp';
  const ok =
    factor === 'recoveryCode'
      ? await useRecoveryCode(services, tenant.id, user, code)
      : (await checkTotp(services, method, code)) === 'ok';
  if (ok) {
    const passed = await satisfy(services, input, factor);
    if (step !== 'enrol') return passed;
    const codes = await completeEnrolment(services, tenant, user, request.ip);
    const hidden = { ...input.hidden, csrf: csrfToken(services, request, reply) };
    await sendPage(
      reply,
      recoveryCodesPage({ tenant, language: input.language, action: input.action, hidden, codes }),
    );
    return { kind: 'shown' };
  }
  const lock = await recordMfaFailure(services, tenant.id, user.id);
  await logged(factor, lock > 0 ? 'accountLocked' : 'mfaFailed');
  const wrong = factor === 'recoveryCode' ? t.errorMfaWrongRecoveryCode : t.errorMfaWrongCode;
  const message = lock > 0 ? fill(t.errorMfaLocked, { minutes: String(lock) }) : wrong;
  await showChallenge(services, request, reply, input, {
    ...(factor === 'recoveryCode' && lock === 0 ? { recoveryError: message } : { error: message }),
    status: lock > 0 ? 429 : 401,
  });
  return { kind: 'shown' };
}
