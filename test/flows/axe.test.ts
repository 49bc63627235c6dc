import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, seriousViolations } from '../helpers/browser.js';

/** The accessibility check the flows rely on can fail: an unlabelled field under a strict CSP is caught. */
describe.runIf(browserAvailable())('axe-core in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reports a form field without a label', async () => {
    const page = await browser.newPage();
    await page.setContent(
      `<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>t</title></head>
<body><main><h1>Form</h1><form><input type="text" name="x"></form></main></body></html>`,
    );
    const violations = await seriousViolations(page);
    expect(violations.map((v) => v.id)).toContain('label');
    await page.close();
  });
});
