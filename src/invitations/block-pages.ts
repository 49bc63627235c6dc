import { html } from '../web/html.js';
import { renderPage } from '../web/layout.js';

export interface BlockPageInput {
  organizationName: string;
  organizationDomain: string;
  email: string;
  blocked: boolean;
  action: string;
  hidden: Record<string, string>;
  /** Set after a POST: what just happened. */
  done?: 'blocked' | 'unblocked';
}

/** "Block future invitations" (PRODUCT §4.4): one question, one button, and the way back. */
export function blockPage(input: BlockPageInput): string {
  const hidden = Object.entries(input.hidden).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`,
  );
  const org = html`<strong>${input.organizationName}</strong> (${input.organizationDomain})`;
  const status = input.done
    ? html`<p role="status">${input.done === 'blocked' ? 'Done: this organization can no longer invite you.' : 'Done: this organization can invite you again.'}</p>`
    : '';
  const question = input.blocked
    ? html`<p>${input.email} does not receive invitations from ${org}.</p>
<form method="post" action="${input.action}">${hidden}
<input type="hidden" name="blocked" value="false">
<button type="submit" class="secondary">Allow invitations from this organization again</button>
</form>`
    : html`<p>Do you want to stop ${org} from inviting ${input.email} again? Any pending invitation from it will stop working.</p>
<form method="post" action="${input.action}">${hidden}
<input type="hidden" name="blocked" value="true">
<button type="submit">Block future invitations</button>
</form>`;
  return renderPage({
    title: 'Block future invitations',
    branding: { organizationName: input.organizationName },
    body: html`<h1>Invitations from ${input.organizationName}</h1>
${status}
${question}
<p class="note">You can change your mind at any time with the link in the invitation email.</p>`,
  });
}

export function invalidLinkPage(): string {
  return renderPage({
    title: 'Link not valid',
    body: html`<h1>This link is not valid</h1>
<p>The link may be incomplete, or the invitation it belongs to no longer exists. Copy the whole link from the email and try again.</p>`,
  });
}
