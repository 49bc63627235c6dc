import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { createPersonalAccount, setPersonalPassword } from '../accounts/service.js';
import { findAccountByEmail } from '../accounts/store.js';
import type { Services } from '../app/services.js';
import { revokeIdentityEverywhere } from '../sessions/revoke.js';
import { PASSCODE_SESSION_SECONDS, PASSWORD_SESSION_SECONDS, startSession } from '../sessions/service.js';
import { hashPassword, meetsPasswordPolicy } from '../users/passwords.js';
import { updateUser } from '../users/store.js';
import { assertCsrf, csrfToken } from '../web/csrf.js';
import { dictionaryOf, fill } from '../web/i18n/index.js';
import { pageHeaders } from '../web/layout.js';
import { checkCode, issueCode } from './codes.js';
import type { SignInFlow } from './flow.js';
import { logSignIn } from './log.js';
import { findMemberByEmail } from './members.js';
import { emailPage, passcodePage, passwordPage, resetPage, signupPage } from './pages.js';
import { signInWithPassword } from './passwords.js';

export const SIGN_IN_STEPS = [
  'identify',
  'password',
  'passcode-send',
  'passcode',
  'signup-send',
  'signup',
  'forgot',
  'reset',
] as const;
export type SignInStep = (typeof SIGN_IN_STEPS)[number];

/** Every step's form fields; each bounded, so nothing oversized reaches a query or argon2. */
export const stepBody = z
  .object({
    csrf: z.string().max(200).optional(),
    email: z.string().trim().max(254).optional(),
    password: z.string().max(256).optional(),
    code: z.string().max(20).optional(),
    displayName: z.string().trim().max(256).optional(),
    ticket: z.string().max(200).optional(),
  })
  .passthrough();
export type StepBody = z.infer<typeof stepBody>;

const emailSchema = z.email();

type MethodPage = 'password' | 'passcode' | 'signup';

export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply.status(status).headers(pageHeaders).send(page);
}

/** Renders the first page of a method: the password form, or a code mailed and its form. */
export async function showMethod(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SignInFlow,
  method: MethodPage,
  email: string,
) {
  const csrf = csrfToken(services, request, reply);
  if (method === 'password') {
    return sendPage(reply, passwordPage({ flow, csrf, email, offerPasscode: await flow.passcodeOffered() }));
  }
  const purpose = method === 'passcode' ? 'passcode' : 'signup';
  // A code goes out only where it can be used. Anyone else sees the same page, so it reveals nothing, and
  // "too many codes" is said only in a redemption, whose address the person already knows is invited.
  const allowed = purpose === 'signup' || (await flow.passcodeAllowed(email));
  const sent = allowed
    ? await issueCode(services, {
        purpose,
        email,
        tenant: flow.tenant,
        language: flow.language,
        ipAddress: request.ip,
      })
    : 'sent';
  const error =
    sent === 'tooMany' && flow.fixedEmail ? dictionaryOf(flow.language).errorTooManyCodes : undefined;
  const page = method === 'passcode' ? passcodePage : signupPage;
  return sendPage(reply, page({ flow, csrf, email, ...(error && { error }) }), error ? 429 : 200);
}

/** One posted step of the sign-in, in either flow. */
export async function runStep(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SignInFlow,
  step: SignInStep,
  body: StepBody,
) {
  assertCsrf(services, request, body.csrf);
  const t = dictionaryOf(flow.language);
  const csrf = csrfToken(services, request, reply);
  const email = flow.fixedEmail ?? body.email ?? '';
  if (!emailSchema.safeParse(email).success) {
    return sendPage(reply, emailPage({ flow, csrf, email, error: t.errorEmailInvalid }), 400);
  }

  switch (step) {
    case 'identify': {
      if (flow.allowSignUp) return signUp(services, request, reply, flow, 'signup-send', body, email);
      const federated = await flow.federate?.(email, reply);
      if (federated !== undefined) return federated;
      // The same next page for every address (no enumeration): the password, and a passcode offered to all
      // when the organization accepts them.
      return showMethod(services, request, reply, flow, 'password', email);
    }

    case 'password': {
      const outcome = await signInWithPassword(services, {
        email,
        password: body.password ?? '',
        ipAddress: request.ip,
      });
      if (outcome.ok) {
        const session = await startSession(services, request, reply, {
          identity: outcome.identity,
          amr: ['pwd'],
          lifetimeSeconds: PASSWORD_SESSION_SECONDS,
        });
        return flow.complete(session, reply);
      }
      await logSignIn(services, request, flow, {
        method: 'password',
        outcome:
          outcome.reason === 'locked'
            ? 'accountLocked'
            : outcome.reason === 'disabled'
              ? 'accountDisabled'
              : 'invalidCredentials',
        email,
      });
      const error =
        outcome.reason === 'locked'
          ? fill(t.errorLocked, { minutes: String(outcome.minutes) })
          : outcome.reason === 'disabled'
            ? t.errorAccountDisabled
            : t.errorWrongCredentials;
      const status = outcome.reason === 'locked' ? 429 : outcome.reason === 'disabled' ? 403 : 401;
      return sendPage(reply, passwordPage({ flow, csrf, email, error }), status);
    }

    case 'passcode-send':
      if (!(await flow.passcodeOffered())) return sendPage(reply, passwordPage({ flow, csrf, email }));
      return showMethod(services, request, reply, flow, 'passcode', email);

    case 'passcode': {
      // An address that may not use a passcode has no code to match: it fails like a wrong one.
      const result = (await flow.passcodeAllowed(email))
        ? await checkCode(services, { purpose: 'passcode', email, code: body.code ?? '' })
        : 'wrong';
      if (result !== 'ok') {
        await logSignIn(services, request, flow, {
          method: 'emailOtp',
          outcome: result === 'wrong' ? 'oneTimePasscodeInvalid' : 'oneTimePasscodeExpired',
          email,
        });
        const error = result === 'wrong' ? t.errorWrongCode : t.errorCodeExhausted;
        return sendPage(reply, passcodePage({ flow, csrf, email, error }), 401);
      }
      const session = await startSession(services, request, reply, {
        identity: { kind: 'mail', email, name: email },
        amr: ['otp'],
        lifetimeSeconds: PASSCODE_SESSION_SECONDS,
      });
      return flow.complete(session, reply);
    }

    case 'signup-send':
    case 'signup':
      return signUp(services, request, reply, flow, step, body, email);

    case 'forgot': {
      // The same page whether or not the address has an account; a code goes out only when it does, in the name
      // of a member's own organization. "Too many codes" is never said here: it would tell which addresses exist.
      const member = await findMemberByEmail(services.db, email);
      const known = member ?? (await findAccountByEmail(services.db, email));
      if (known) {
        await issueCode(services, {
          purpose: 'reset',
          email,
          tenant: member?.tenant ?? flow.tenant,
          language: flow.language,
          ipAddress: request.ip,
        });
      }
      return sendPage(reply, resetPage({ flow, csrf, email }));
    }

    case 'reset': {
      const password = body.password ?? '';
      if (!meetsPasswordPolicy(password)) {
        return sendPage(reply, resetPage({ flow, csrf, email, error: t.errorPasswordPolicy }), 400);
      }
      const result = await checkCode(services, { purpose: 'reset', email, code: body.code ?? '' });
      if (result !== 'ok') {
        const error = result === 'wrong' ? t.errorWrongCode : t.errorCodeExhausted;
        return sendPage(reply, resetPage({ flow, csrf, email, error }), 401);
      }
      await resetPassword(services, email, password);
      return sendPage(reply, passwordPage({ flow, csrf, email, notice: t.resetDone }));
    }
  }
}

async function signUp(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SignInFlow,
  step: 'signup-send' | 'signup',
  body: StepBody,
  email: string,
) {
  const t = dictionaryOf(flow.language);
  const csrf = csrfToken(services, request, reply);
  // Accounts are created only where the precedence says so (a redemption, PRODUCT §4.3 step 6): never by JIT.
  const exists =
    (await findMemberByEmail(services.db, email)) ?? (await findAccountByEmail(services.db, email));
  if (!(flow.fixedEmail || flow.allowSignUp) || exists) {
    return sendPage(
      reply,
      passwordPage({ flow, csrf, email, ...(exists && { notice: t.errorAccountExists }) }),
    );
  }
  if (step === 'signup-send') return showMethod(services, request, reply, flow, 'signup', email);

  const displayName = body.displayName || email;
  const password = body.password ?? '';
  const again = (error: string, status: number) =>
    sendPage(reply, signupPage({ flow, csrf, email, displayName, error }), status);
  if (!meetsPasswordPolicy(password)) return again(t.errorPasswordPolicy, 400);
  const result = await checkCode(services, { purpose: 'signup', email, code: body.code ?? '' });
  if (result !== 'ok') return again(result === 'wrong' ? t.errorWrongCode : t.errorCodeExhausted, 401);
  const account = await createPersonalAccount(services, {
    email,
    displayName,
    password,
    preferredLanguage: flow.language,
  });
  if (account === 'exists')
    return sendPage(reply, passwordPage({ flow, csrf, email, notice: t.errorAccountExists }));
  const session = await startSession(services, request, reply, {
    identity: { kind: 'personal', accountId: account.id, email: account.email, name: account.display_name },
    amr: ['pwd'],
    lifetimeSeconds: PASSWORD_SESSION_SECONDS,
  });
  return flow.complete(session, reply);
}

/** A new password, then every session and refresh token of the identity ends (issue: sign-in pages). */
async function resetPassword(services: Services, email: string, password: string): Promise<void> {
  const member = await findMemberByEmail(services.db, email);
  if (member) {
    await updateUser(services.db, member.tenant.id, member.user.id, {
      password_hash: await hashPassword(password),
    });
    await revokeIdentityEverywhere(services, {
      kind: 'member',
      tenantId: member.tenant.id,
      userId: member.user.id,
      email,
      name: member.user.display_name,
    });
    return;
  }
  const account = await setPersonalPassword(services, email, password);
  if (account) {
    await revokeIdentityEverywhere(services, {
      kind: 'personal',
      accountId: account.id,
      email: account.email,
      name: account.display_name,
    });
  }
}
