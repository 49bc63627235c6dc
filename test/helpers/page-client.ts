import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A small browser over inject(): it keeps cookies, submits forms the way the page wrote them (hidden fields
 * included, the CSRF token among them) and never follows redirects, so tests see each step.
 */
export interface PageClient {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Submits the form of `page` whose action ends with `action`, with `fields` added or overriding. */
  submit(
    page: LightMyRequestResponse,
    action: string,
    fields?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  cookies: Map<string, string>;
}

const decode = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The forms of a page: action and hidden fields (and a clicked button's name/value when asked). */
export function formsOf(page: string): Array<{ action: string; fields: Record<string, string> }> {
  const forms: Array<{ action: string; fields: Record<string, string> }> = [];
  for (const match of page.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) {
      fields[decode(input[1]!)] = decode(input[2]!);
    }
    forms.push({ action: decode(match[1]!), fields });
  }
  return forms;
}

export function pageClient(app: FastifyInstance, defaults: Record<string, string> = {}): PageClient {
  const cookies = new Map<string, string>();
  const remember = (response: LightMyRequestResponse) => {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()))
        cookies.delete(cookie.name);
      else cookies.set(cookie.name, cookie.value);
    }
    return response;
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const client: PageClient = {
    cookies,
    async get(url, headers = {}) {
      // Browsers navigate accepting HTML first: oidc-provider answers its own errors as a page only then.
      const accept = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';
      return remember(
        await app.inject({
          method: 'GET',
          url,
          headers: { accept, ...defaults, cookie: cookieHeader(), ...headers },
        }),
      );
    },
    async post(url, fields) {
      return remember(
        await app.inject({
          method: 'POST',
          url,
          headers: {
            ...defaults,
            cookie: cookieHeader(),
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: new URLSearchParams(fields).toString(),
        }),
      );
    },
    async submit(page, action, fields = {}) {
      const form = formsOf(page.body).find((f) => f.action.endsWith(action));
      if (!form) throw new Error(`no form posting to ${action} on the page:\n${page.body}`);
      const target = new URL(form.action, 'https://foyer.test');
      return client.post(`${target.pathname}${target.search}`, { ...form.fields, ...fields });
    },
  };
  return client;
}
