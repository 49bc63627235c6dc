import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import { callerKey, type Principal } from '../auth/principal.js';
import { charge, consume, type Limit, peek } from './limiter.js';

/**
 * Throttling as Graph does it, per application (here: per caller) per tenant, so one caller cannot spend the
 * tenant's budget for everyone: every request, refused or not, costs its caller; the tenant-wide ceiling is
 * paid only by requests that succeeded (2xx), so a caller without permissions, whose calls all end in 403,
 * exhausts nothing but its own budget.
 */
export interface Budget {
  /** e.g. `api`, `invitations`. */
  name: string;
  perCaller: Limit;
  tenant: Limit;
}

const CHARGES = Symbol('tenant budgets to charge on success');

type Charged = FastifyRequest & { [CHARGES]?: Budget[] };

/** Spends the caller's budget and checks the tenant's ceiling; the ceiling is charged in `chargeOnSuccess`. */
export async function spend(services: Services, request: FastifyRequest, budget: Budget): Promise<void> {
  const principal: Principal = request.principal;
  const tenant = `${budget.name}:${principal.tenantId}`;
  await consume(services, `${tenant}:${callerKey(principal)}`, budget.perCaller);
  await peek(services, tenant, budget.tenant);
  const charged = request as Charged;
  charged[CHARGES] = [...(charged[CHARGES] ?? []), budget];
}

/** onSend hook: a successful request pays the tenant ceilings it was checked against. */
export async function chargeOnSuccess(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const budgets = (request as Charged)[CHARGES];
  if (!budgets || reply.statusCode >= 400) return;
  for (const budget of budgets)
    await charge(services, `${budget.name}:${request.principal.tenantId}`, budget.tenant);
}
