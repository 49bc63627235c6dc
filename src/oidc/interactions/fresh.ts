import type { Services } from '../../app/services.js';
import { hashSecret, secretMatches } from '../../platform/secrets.js';

/**
 * Proof that the browser signed in during this very interaction (so prompt=login is satisfied): a keyed hash of
 * the interaction and the sign-in time, which only this server can make. The review form carries it, and so does
 * the return from an identity provider (src/federation).
 */
export const freshProof = (services: Services, uid: string, authTime: number) =>
  hashSecret(`fresh:${uid}:${authTime}`, services.config.secret);

export const freshMatches = (services: Services, uid: string, authTime: number, proof: unknown) =>
  typeof proof === 'string' && secretMatches(`fresh:${uid}:${authTime}`, proof, services.config.secret);
