import type { FastifyInstance } from 'fastify';
import type { Services } from '../app/services.js';

// Placeholder until the OIDC provider lands: mounts nothing.
export async function oidcPlugin(_app: FastifyInstance, _options: { services: Services }) {}
