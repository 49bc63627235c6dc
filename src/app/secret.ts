import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { ResolvedConfig } from './services.js';

/**
 * FOYER_SECRET encrypts signing keys and cookies. Production must set it (config refuses to start without).
 * In development one is generated on first start and kept in <dataDir>/secret, so restarts keep sessions
 * and keys readable.
 */
export async function resolveSecret(
  config: Readonly<Config>,
): Promise<{ config: ResolvedConfig; generated: boolean }> {
  if (config.secret) return { config: { ...config, secret: config.secret }, generated: false };
  const path = join(config.dataDir, 'secret');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) {
    return { config: { ...config, secret: existing.trim() }, generated: false };
  }
  const secret = randomBytes(48).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return { config: { ...config, secret }, generated: true };
}
