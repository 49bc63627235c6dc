import type { SafeHtml } from '../web/html.js';
import { html } from '../web/html.js';
import { dictionaryOf, fill } from '../web/i18n/index.js';
import { renderPage } from '../web/layout.js';
import type { SignInFlow } from './flow.js';

/** The identifier-first pages (issue: email, then the right method). Every form carries the CSRF token. */

interface PageInput {
  flow: SignInFlow;
  csrf: string;
  email?: string;
  error?: string;
  notice?: string;
}

function hiddenFields(input: PageInput, extra: Record<string, string> = {}): SafeHtml {
  const fields = { ...input.flow.hidden, csrf: input.csrf, ...extra };
  return html`${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`;
}

const alert = (error?: string) =>
  error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : '';
const status = (notice?: string) => (notice ? html`<p role="status">${notice}</p>` : '');
const described = (error?: string) => (error ? html` aria-describedby="form-error" aria-invalid="true"` : '');

function frame(input: PageInput, title: string, body: SafeHtml): string {
  const { flow } = input;
  return renderPage({
    title,
    lang: flow.language,
    ...(flow.tenant && {
      branding: { organizationName: flow.tenant.display_name, logoUrl: flow.tenant.logo_url },
    }),
    body,
  });
}

function subtitle(input: PageInput): SafeHtml {
  const t = dictionaryOf(input.flow.language);
  if (!input.flow.tenant) return html``;
  const at = fill(t.signInAt, { organization: input.flow.tenant.display_name });
  return input.flow.appName
    ? html`<p class="note">${fill(t.signInTo, { app: input.flow.appName })} ${at}</p>`
    : html`<p class="note">${at}</p>`;
}

export function emailPage(input: PageInput): string {
  const t = dictionaryOf(input.flow.language);
  const signUp = input.flow.allowSignUp === true;
  return frame(
    input,
    signUp ? t.signupTitle : t.signInTitle,
    html`<h1>${signUp ? t.signupHeading : t.signInHeading}</h1>
${subtitle(input)}
${alert(input.error)}
<form method="post" action="${input.flow.base}/identify">
${hiddenFields(input)}<label for="email">${t.emailLabel}</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus maxlength="254" value="${input.email ?? ''}" aria-describedby="email-hint"${described(input.error)}>
<p class="hint" id="email-hint">${t.emailHint}</p>
<div class="actions"><button type="submit">${t.nextButton}</button></div>
</form>
${signUp ? '' : html`<p>${t.noAccount} <a href="/signup">${t.createAccountLink}</a></p>`}`,
  );
}

export function passwordPage(input: PageInput & { email: string; offerPasscode?: boolean }): string {
  const t = dictionaryOf(input.flow.language);
  return frame(
    input,
    t.passwordTitle,
    html`<h1>${t.passwordHeading}</h1>
<p>${input.email}</p>
${status(input.notice)}${alert(input.error)}
<form method="post" action="${input.flow.base}/password">
${hiddenFields(input, { email: input.email })}<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="password">${t.passwordLabel}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus maxlength="256"${described(input.error)}>
<div class="actions"><button type="submit">${t.signInButton}</button></div>
</form>
<form method="post" action="${input.flow.base}/forgot">
${hiddenFields(input, { email: input.email })}<button type="submit" class="link">${t.forgotPassword}</button>
</form>
${
  input.offerPasscode
    ? html`<form method="post" action="${input.flow.base}/passcode-send">
${hiddenFields(input, { email: input.email })}<button type="submit" class="secondary">${t.emailMeCode}</button>
</form>`
    : ''
}`,
  );
}

export function passcodePage(input: PageInput & { email: string }): string {
  const t = dictionaryOf(input.flow.language);
  return frame(
    input,
    t.passcodeTitle,
    html`<h1>${t.passcodeHeading}</h1>
<p>${fill(input.flow.fixedEmail ? t.passcodeSent : t.passcodeMaybeSent, { email: input.email })}</p>
${alert(input.error)}
<form method="post" action="${input.flow.base}/passcode">
${hiddenFields(input, { email: input.email })}<label for="code">${t.passcodeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{8,11}" maxlength="11" required autofocus${described(input.error)}>
<div class="actions"><button type="submit">${t.verifyButton}</button></div>
</form>
<form method="post" action="${input.flow.base}/passcode-send">
${hiddenFields(input, { email: input.email })}<button type="submit" class="link">${t.resendCode}</button>
</form>`,
  );
}

export function signupPage(input: PageInput & { email: string; displayName?: string }): string {
  const t = dictionaryOf(input.flow.language);
  return frame(
    input,
    t.signupTitle,
    html`<h1>${t.signupHeading}</h1>
<p>${fill(t.signupIntro, { email: input.email })}</p>
<p>${fill(t.passcodeSent, { email: input.email })}</p>
${alert(input.error)}
<form method="post" action="${input.flow.base}/signup">
${hiddenFields(input, { email: input.email })}<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="code">${t.passcodeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="11" required autofocus>
<label for="displayName">${t.displayNameLabel}</label>
<input id="displayName" name="displayName" type="text" autocomplete="name" required maxlength="256" value="${input.displayName ?? ''}">
<label for="password">${t.newPasswordLabel}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" aria-describedby="password-policy">
<p class="hint" id="password-policy">${t.passwordPolicy}</p>
<div class="actions"><button type="submit">${t.createAccountButton}</button></div>
</form>
<form method="post" action="${input.flow.base}/signup-send">
${hiddenFields(input, { email: input.email })}<button type="submit" class="link">${t.resendCode}</button>
</form>`,
  );
}

export function resetPage(input: PageInput & { email: string }): string {
  const t = dictionaryOf(input.flow.language);
  return frame(
    input,
    t.resetTitle,
    html`<h1>${t.resetHeading}</h1>
<p>${fill(t.resetIntro, { email: input.email })}</p>
${alert(input.error)}
<form method="post" action="${input.flow.base}/reset">
${hiddenFields(input, { email: input.email })}<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="code">${t.passcodeLabel}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="11" required autofocus>
<label for="password">${t.newPasswordLabel}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" aria-describedby="password-policy">
<p class="hint" id="password-policy">${t.passwordPolicy}</p>
<div class="actions"><button type="submit">${t.resetButton}</button></div>
</form>`,
  );
}
