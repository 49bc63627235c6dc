import type { Services } from '../../app/services.js';
import type { PortalContext } from '../../portal/context.js';
import { FREE_MAU, type UsageReport, usageReport } from '../../usage/service.js';
import { html } from '../../web/html.js';
import { fill, type PageLanguage, portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage } from '../frame.js';

const W = 640;
const H = 240;
const PAD = { left: 56, right: 8, top: 16, bottom: 32 };

/**
 * The last 12 months as SVG drawn on the server: attributes and classes only (the stylesheet colours them), so
 * the strict Content-Security-Policy holds. A title and a description make it an image with a text alternative;
 * the table after it carries the same numbers.
 */
export function usageChart(report: UsageReport, lang: PageLanguage) {
  const t = portalDictionaryOf(lang);
  const peak = Math.max(1, ...report.months.map((m) => m.activeGuests));
  const showLimit = peak >= FREE_MAU * 0.5;
  const top = showLimit ? Math.max(peak, FREE_MAU) * 1.1 : peak * 1.1;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / report.months.length;
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const number = new Intl.NumberFormat(lang);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${t.usageChartTitle}</title><desc id="chart-desc">${t.usageChartDesc}</desc>
<line class="axis" x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}"/>
<text x="${PAD.left - 6}" y="${y(peak) + 4}" text-anchor="end">${number.format(peak)}</text>
<text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>
${showLimit ? html`<line class="limit" x1="${PAD.left}" y1="${y(FREE_MAU)}" x2="${W - PAD.right}" y2="${y(FREE_MAU)}"/><text x="${W - PAD.right}" y="${y(FREE_MAU) - 4}" text-anchor="end">50,000</text>` : ''}
${report.months.map((m, i) => {
  const x = PAD.left + i * slot + slot * 0.15;
  const barTop = y(m.activeGuests);
  return html`<rect class="bar" x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(PAD.top + plotH - barTop).toFixed(1)}"><title>${m.month}: ${m.activeGuests}</title></rect>
<text x="${(x + slot * 0.35).toFixed(1)}" y="${H - 12}" text-anchor="middle">${m.month.slice(2)}</text>`;
})}
</svg>`;
}

export async function usagePage(services: Services, ctx: PortalContext) {
  const t = portalDictionaryOf(ctx.lang);
  const report = await usageReport(services, ctx.principal);
  const current = report.months.at(-1)!;
  const number = new Intl.NumberFormat(ctx.lang);
  const ratio = report.members === 0 ? '—' : `1:${(report.guests / report.members).toFixed(2)}`;
  return consolePage(ctx, {
    title: t.usageTitle,
    section: 'usage',
    body: html`<h1>${t.usageTitle}</h1>
<dl>
<dt>${t.usageGuests}</dt><dd>${number.format(report.guests)}</dd>
<dt>${t.usageMembers}</dt><dd>${number.format(report.members)}</dd>
<dt>${t.usageRatio}</dt><dd>${ratio} &mdash; ${fill(t.usageRatioNote, { within: report.withinRatio ? t.yes : t.no })}</dd>
<dt>${fill(t.usageMau, { month: current.month })}</dt><dd>${number.format(current.activeGuests)} &mdash; ${fill(t.usageMauNote, { count: number.format(current.activeGuests) })}</dd>
</dl>
<h2>${t.usageChartTitle}</h2>
${usageChart(report, ctx.lang)}
<div class="scroll" tabindex="0"><table><caption>${t.usageChartTitle}</caption>
<thead><tr><th scope="col">${t.colDate}</th><th scope="col">${t.usageGuests}</th></tr></thead>
<tbody>${report.months.map((m) => html`<tr><td>${m.month}</td><td>${number.format(m.activeGuests)}</td></tr>`)}</tbody></table></div>`,
  });
}
