import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerMultipart } from '../../src/web/multipart.js';

/**
 * Node's `FormData` global is a getter that loads undici on first read; @fastify/multipart reads it when it
 * registers. The upload forms' registration must neither read it nor lose it.
 */
describe('registerMultipart', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'FormData');
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, 'FormData', original);
  });

  it('registers without reading globalThis.FormData, and leaves its getter as it was', async () => {
    let reads = 0;
    const getter = {
      configurable: true,
      enumerable: false,
      get() {
        reads++;
        return original?.get ? original.get.call(globalThis) : original?.value;
      },
    };
    Object.defineProperty(globalThis, 'FormData', getter);
    const app = Fastify();
    await app.register(async (upload) => {
      await registerMultipart(upload, { attachFieldsToBody: 'keyValues' });
      upload.post('/upload', async (request) => request.body);
    });
    const boundary = 'foyer-boundary';
    const payload = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="csrf"',
      '',
      'token',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const response = await app.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(response.json()).toEqual({ csrf: 'token' });
    expect(reads).toBe(0);
    expect(Object.getOwnPropertyDescriptor(globalThis, 'FormData')?.get).toBe(getter.get);
    await app.close();
  });
});
