import { escapeHtml as e, layout } from '../web/layout.js';

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
  const hidden = Object.entries(input.hidden)
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join('\n');
  const org = `<strong>${e(input.organizationName)}</strong> (${e(input.organizationDomain)})`;
  const status = input.done
    ? `<p role="status">${input.done === 'blocked' ? 'Done: this organization can no longer invite you.' : 'Done: this organization can invite you again.'}</p>`
    : '';
  const question = input.blocked
    ? `<p>${e(input.email)} does not receive invitations from ${org}.</p>
<form method="post" action="${e(input.action)}">${hidden}
<input type="hidden" name="blocked" value="false">
<button type="submit" class="secondary">Allow invitations from this organization again</button>
</form>`
    : `<p>Do you want to stop ${org} from inviting ${e(input.email)} again? Any pending invitation from it will stop working.</p>
<form method="post" action="${e(input.action)}">${hidden}
<input type="hidden" name="blocked" value="true">
<button type="submit">Block future invitations</button>
</form>`;
  return layout({
    title: 'Block future invitations',
    body: `<h1>Invitations from ${e(input.organizationName)}</h1>
${status}
${question}
<p class="note">You can change your mind at any time with the link in the invitation email.</p>`,
  });
}

export function invalidLinkPage(): string {
  return layout({
    title: 'Link not valid',
    body: `<h1>This link is not valid</h1>
<p>The link may be incomplete, or the invitation it belongs to no longer exists. Copy the whole link from the email and try again.</p>`,
  });
}
