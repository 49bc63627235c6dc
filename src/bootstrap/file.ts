import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import type { BootstrapResult } from './index.js';

const DEFAULT_DATABASE_URL = 'sqlite:./data/foyer.db';

/**
 * The file a database's bootstrap values go to. The default database keeps `bootstrap.json` (what README and a
 * newcomer expect); any other database gets a file of its own, named after it, so pointing Foyer at a second
 * database (or a test one) never touches the first one's values, which were shown only once.
 */
export function bootstrapFileName(config: Pick<Config, 'database' | 'dataDir'>): string {
  const { url, dialect } = config.database;
  const isDefault =
    url === DEFAULT_DATABASE_URL ||
    (dialect === 'sqlite' && resolve(url.slice('sqlite:'.length)) === resolve(config.dataDir, 'foyer.db'));
  if (isDefault) return 'bootstrap.json';
  let name: string;
  if (dialect === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    name = basename(path, extname(path));
  } else {
    // Host, port, database and schema; never the credentials.
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    name = [parsed.hostname, parsed.port, parsed.pathname.slice(1), schema].filter(Boolean).join('-');
  }
  const readable = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'database';
  // Two databases with the same readable name (foyer.db in two folders) still get two files.
  const digest = createHash('sha256').update(resolveForDigest(url)).digest('hex').slice(0, 8);
  return `bootstrap-${readable}-${digest}.json`;
}

function resolveForDigest(url: string): string {
  if (!url.startsWith('sqlite:')) {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  }
  return `sqlite:${resolve(url.slice('sqlite:'.length))}`;
}

/**
 * Writes the bootstrap values, readable by their owner only, and never over an existing file: when the name is
 * taken (the database was emptied and bootstrapped again), the new values go to a timestamped file beside it.
 */
export async function writeBootstrapFile(
  config: Pick<Config, 'database' | 'dataDir'>,
  result: BootstrapResult,
  now: Date = new Date(),
): Promise<string> {
  await mkdir(config.dataDir, { recursive: true });
  const name = bootstrapFileName(config);
  const content = `${JSON.stringify(result, null, 2)}\n`;
  const candidates = [name, name.replace(/\.json$/, `-${now.toISOString().replace(/[:.]/g, '-')}.json`)];
  for (const candidate of candidates) {
    const path = join(config.dataDir, candidate);
    try {
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(
    `Bootstrap values not written: ${candidates.join(' and ')} already exist in ${config.dataDir}.`,
  );
}
