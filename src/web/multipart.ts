import multipart, { type FastifyMultipartAttachFieldsToBodyOptions } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/**
 * Registers @fastify/multipart for the upload forms. When it registers, the plugin reads `globalThis.FormData` to
 * decide whether to offer `request.formData()`, and Node defines that global as a getter that loads its whole
 * fetch implementation (undici: ~30 ms of every start on the slow VM, ~14 ms on the faster one). Foyer's forms
 * take their fields and files as body values and never call `formData()`, so the getter is hidden while the
 * plugin registers and put back, unread, right after.
 */
export async function registerMultipart(
  app: FastifyInstance,
  options: FastifyMultipartAttachFieldsToBodyOptions,
): Promise<void> {
  const formData = Object.getOwnPropertyDescriptor(globalThis, 'FormData');
  Object.defineProperty(globalThis, 'FormData', { value: undefined, configurable: true, writable: true });
  try {
    await app.register(multipart, options);
  } finally {
    if (formData) Object.defineProperty(globalThis, 'FormData', formData);
    else Reflect.deleteProperty(globalThis, 'FormData');
  }
}
