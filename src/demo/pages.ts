import { html } from '../web/html.js';
import { renderPage } from '../web/layout.js';

/** The demo app's two pages: a sign-in button, and the claims of the tokens it received. English only. */

export function demoHomePage(input: { configured: boolean }): string {
  return renderPage({
    title: 'Demo app',
    branding: { organizationName: 'Foyer demo app' },
    body: html`<h1>Foyer demo app</h1>
<p>A sample OpenID Connect client: it signs in with the authorization code flow and PKCE, verifies the ID token
with openid-client, and shows what the tokens say.</p>
${
  input.configured
    ? html`<p><a class="button" href="/demo/login">Sign in</a></p>`
    : html`<p role="alert">No demo client is registered on this instance (the bootstrap registers one).</p>`
}`,
  });
}

function claimsTable(caption: string, claims: Record<string, unknown>) {
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
<tbody>${Object.entries(claims).map(
    ([name, value]) =>
      html`<tr><th scope="row">${name}</th><td>${typeof value === 'string' ? value : JSON.stringify(value)}</td></tr>`,
  )}</tbody>
</table>`;
}

export function demoClaimsPage(input: {
  idToken: Record<string, unknown>;
  accessToken: Record<string, unknown>;
  logoutUrl: string;
}): string {
  return renderPage({
    title: 'Signed in',
    wide: true,
    branding: { organizationName: 'Foyer demo app' },
    body: html`<h1>Signed in as ${String(input.idToken.name ?? input.idToken.preferred_username ?? '')}</h1>
<p>The ID token was verified (signature, issuer, audience, nonce). Its claims:</p>
${claimsTable('ID token claims', input.idToken)}
<h2>Access token for the directory API</h2>
${claimsTable('Access token claims', input.accessToken)}
<p><a class="button secondary" href="${input.logoutUrl}">Sign out</a> <a href="/demo">Back</a></p>`,
  });
}

export function demoErrorPage(reason: string): string {
  return renderPage({
    title: 'Not signed in',
    branding: { organizationName: 'Foyer demo app' },
    body: html`<h1>Not signed in</h1>
<p role="alert">${reason}</p>
<p><a class="button" href="/demo">Back</a></p>`,
  });
}
