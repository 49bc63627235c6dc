import type { Services } from '../app/services.js';
import { authorize } from '../auth/guards.js';
import type { Principal } from '../auth/principal.js';
import { countUsersByType, monthlyActiveGuests } from './store.js';

/** PRODUCT: the free tier covers 50,000 monthly active guests; the licence ratio is one member to five guests. */
export const FREE_MAU = 50_000;
export const GUESTS_PER_MEMBER = 5;

export interface UsageReport {
  members: number;
  guests: number;
  withinRatio: boolean;
  /** The last 12 calendar months (UTC), oldest first; the last is the current month. */
  months: Array<{ month: string; activeGuests: number }>;
}

const monthKey = (date: Date) => date.toISOString().slice(0, 7);

/** The usage report: who may read the audit logs and the users may read it. */
export async function usageReport(services: Services, principal: Principal): Promise<UsageReport> {
  authorize(principal, 'readAuditLogs');
  authorize(principal, 'readUsers');
  const now = services.clock.now();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const [counts, active] = await Promise.all([
    countUsersByType(services.db, principal.tenantId),
    monthlyActiveGuests(services.db, principal.tenantId, start.toISOString()),
  ]);
  const months = Array.from({ length: 12 }, (_, i) => {
    const key = monthKey(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)));
    return { month: key, activeGuests: active.get(key) ?? 0 };
  });
  return {
    ...counts,
    withinRatio: counts.guests <= counts.members * GUESTS_PER_MEMBER,
    months,
  };
}
