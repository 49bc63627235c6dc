/**
 * A module the first request does not need, loaded on first use and once. Imported with the bundle, it would be
 * on every start's path: Node resolves, reads and compiles an ESM package file by file (jose alone took ~30 ms
 * of a ~420 ms start on a fast core; jose, openid-client, csv-parse, csv-stringify and otpauth ~45 ms).
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** JOSE: the directory API's bearer tokens, signing-key thumbprints. */
export const loadJose = onFirstUse(() => import('jose'));

/** The OpenID Connect relying party: federation with outside providers, the console's and demo's sign-in. */
export const loadOpenidClient = onFirstUse(() => import('openid-client'));
