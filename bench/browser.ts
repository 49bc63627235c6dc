/**
 * A minimal browser for the sign-in scenarios: plain fetch with `redirect: 'manual'`, a cookie jar of its own,
 * and the form posts of Foyer's sign-in pages. Every step checks what a person would see, so a broken page counts
 * as an error rather than a fast response.
 */
import { calculatePKCECodeChallenge, randomPKCECodeVerifier, randomState } from 'openid-client';

export const REDIRECT_URI = 'http://127.0.0.1/cb';
const SCOPE = 'openid profile offline_access';

/** Cookies by name; every cookie of the host goes with every request (paths do not matter for one host). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1).trim());
    }
  }
}

/**
 * Every request of a sign-in (page loads, form posts, the code exchange) goes out through `transport.send`:
 * bench/sign-in-steps.ts wraps it to charge each request the server CPU it took.
 */
export const transport = {
  send: (url: string, init: RequestInit): Promise<Response> => fetch(url, init),
};

export class Browser {
  readonly jar = new CookieJar();

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    const response = await transport.send(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.jar.header(),
        ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form && { body: new URLSearchParams(form).toString() }),
    });
    this.jar.remember(response);
    return response;
  }

  /** Follows redirects from `response` until a page, or a redirect to `stopAt` (returned, not followed). */
  async follow(
    response: Response,
    from: string,
    stopAt: string,
  ): Promise<{ response: Response; url: string }> {
    let current = response;
    let url = from;
    for (let hops = 0; hops < 10 && current.status >= 300 && current.status < 400; hops++) {
      const location = new URL(current.headers.get('location') ?? '', url).toString();
      if (location.startsWith(stopAt)) return { response: current, url: location };
      await current.body?.cancel();
      url = location;
      current = await this.request(url);
    }
    return { response: current, url };
  }
}

const decode = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The action and hidden fields of the page's form that posts to a path ending with `action`. */
function formOf(
  page: string,
  action: string,
  pageUrl: string,
): { url: string; fields: Record<string, string> } {
  for (const match of page.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const target = decode(match[1]!);
    if (!target.endsWith(action)) continue;
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) {
      fields[decode(input[1]!)] = decode(input[2]!);
    }
    return { url: new URL(target, pageUrl).toString(), fields };
  }
  throw new Error(`no form posting to ${action} on ${pageUrl}: ${page.slice(0, 300)}`);
}

async function expectStatus(response: Response, step: string, ...accepted: number[]): Promise<string> {
  const body = await response.text();
  if (!accepted.includes(response.status)) {
    throw new Error(`${step}: HTTP ${response.status} ${body.slice(0, 200)}`);
  }
  return body;
}

export interface Tokens {
  idToken: string;
  refreshToken: string | undefined;
}

/** Where a provider answers the two steps of the code flow this browser drives. */
interface Endpoints {
  authorize: string;
  token: string;
}

/**
 * A code flow of a public client in a fresh browser around `signInPages`: authorize (code + PKCE S256, state,
 * nonce) → redirects to the provider's first sign-in page → `signInPages` (its form posts; returns the last
 * response and its URL) → back through the provider to the redirect URI → the code exchanged at the token
 * endpoint for an ID token.
 */
async function codeFlow(
  endpoints: Endpoints,
  clientId: string,
  signInPages: (
    browser: Browser,
    page: { html: string; url: string },
  ) => Promise<{ response: Response; url: string }>,
): Promise<Tokens> {
  const browser = new Browser();
  const verifier = randomPKCECodeVerifier();
  const state = randomState();
  const authorize = new URL(endpoints.authorize);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state,
    nonce: randomState(),
    code_challenge: await calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();

  const start = await browser.request(authorize.toString());
  if (start.status !== 303 && start.status !== 302) await expectStatus(start, 'authorize', 303);
  const firstPage = await browser.follow(start, authorize.toString(), REDIRECT_URI);
  const html = await expectStatus(firstPage.response, 'first sign-in page', 200);

  const signedIn = await signInPages(browser, { html, url: firstPage.url });
  if (signedIn.response.status !== 303) await expectStatus(signedIn.response, 'sign-in', 303);
  const back = await browser.follow(signedIn.response, signedIn.url, REDIRECT_URI);
  if (!back.url.startsWith(REDIRECT_URI)) {
    await expectStatus(back.response, `back to the app (at ${back.url})`, 303);
  }
  await back.response.body?.cancel();
  const callback = new URL(back.url).searchParams;
  const code = callback.get('code');
  if (!code || callback.get('state') !== state) throw new Error(`callback without code: ${back.url}`);

  const token = await transport.send(endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
    }),
  });
  const body = JSON.parse(await expectStatus(token, 'token', 200)) as {
    id_token?: string;
    refresh_token?: string;
  };
  if (!body.id_token) throw new Error(`token response without id_token: ${JSON.stringify(body)}`);
  return { idToken: body.id_token, refreshToken: body.refresh_token };
}

/** Who signs in, to which client. */
export interface SignInUser {
  clientId: string;
  email: string;
  password: string;
}

/** Posts the email and password (with the form's hidden fields) to the page's form ending with `action`. */
async function postCredentials(
  browser: Browser,
  page: { html: string; url: string },
  action: string,
  user: SignInUser,
): Promise<{ response: Response; url: string }> {
  const form = formOf(page.html, action, page.url);
  const response = await browser.request(form.url, {
    ...form.fields,
    email: user.email,
    password: user.password,
  });
  return { response, url: form.url };
}

/**
 * One complete interactive sign-in of a public client in a fresh browser: authorize (code + PKCE S256, state,
 * nonce) → the email page → identify → password → back through the provider to the redirect URI → the code
 * exchanged at the token endpoint for an ID token.
 */
export function signIn(foyer: string, tenant: string, user: SignInUser): Promise<Tokens> {
  const base = `${foyer}/${tenant}/oauth2/v2.0`;
  const endpoints = { authorize: `${base}/authorize`, token: `${base}/token` };
  return codeFlow(endpoints, user.clientId, async (browser, emailPage) => {
    const identify = formOf(emailPage.html, '/identify', emailPage.url);
    const passwordPage = await browser.request(identify.url, { ...identify.fields, email: user.email });
    const html = await expectStatus(passwordPage, 'identify', 200);
    return postCredentials(browser, { html, url: identify.url }, '/password', user);
  });
}

/**
 * The same sign-in against a bare oidc-provider (bench/servers/bare-oidc-login.ts): authorize → its one login
 * page (email and password) → back to the redirect URI → the code exchanged at `/token` for an ID token.
 */
export function bareSignIn(provider: string, user: SignInUser): Promise<Tokens> {
  const endpoints = { authorize: `${provider}/auth`, token: `${provider}/token` };
  return codeFlow(endpoints, user.clientId, (browser, page) =>
    postCredentials(browser, page, '/login', user),
  );
}
