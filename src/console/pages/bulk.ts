import { BULK_COLUMNS, MAX_BULK_FILE_MIB, MAX_BULK_ROWS } from '../../bulk/csv.js';
import type { BulkJobResource } from '../../bulk/service.js';
import type { PortalContext } from '../../portal/context.js';
import { html, type SafeHtml } from '../../web/html.js';
import { fill, type PortalDictionary, portalDictionaryOf } from '../../web/i18n/index.js';
import { consolePage, formBasics } from '../frame.js';
import { formError } from './tables.js';

/** Seconds between reloads of a running job's page when the browser runs no JavaScript. */
const REFRESH_SECONDS = 3;
const LISTED = 1_000;

const number = (ctx: PortalContext, value: number) => value.toLocaleString(ctx.lang);

const statusLabel = (t: PortalDictionary, status: BulkJobResource['status']) =>
  ({
    validated: t.bulkStatusValidated,
    running: t.bulkStatusRunning,
    completed: t.bulkStatusCompleted,
  })[status];

function recentJobsTable(ctx: PortalContext, t: PortalDictionary, jobs: BulkJobResource[]): SafeHtml {
  if (jobs.length === 0) return html`<p>${t.bulkNoJobs}</p>`;
  return html`<div class="scroll" tabindex="0"><table><caption>${t.bulkRecentHeading}</caption>
<thead><tr><th scope="col">${t.bulkColFile}</th><th scope="col">${t.bulkColCreated}</th><th scope="col">${t.bulkColStatus}</th><th scope="col">${t.bulkColProgress}</th></tr></thead>
<tbody>${jobs.map(
    (job) => html`<tr><td><a href="${ctx.base}/bulk/${job.id}">${job.fileName ?? t.bulkUnnamed}</a></td>
<td>${job.createdDateTime}</td><td>${statusLabel(t, job.status)}</td><td>${number(ctx, job.processedRows)} / ${number(ctx, job.totalRows)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The upload form (multipart, CSRF token as a field) and the tenant's latest jobs. */
export function bulkUploadPage(
  ctx: PortalContext,
  jobs: BulkJobResource[],
  input: { error?: string; expired?: boolean } = {},
) {
  const t = portalDictionaryOf(ctx.lang);
  const self = `${ctx.base}/bulk`;
  return consolePage(ctx, {
    title: t.bulkTitle,
    section: 'bulk',
    body: html`<h1>${t.bulkTitle}</h1>
${input.expired ? html`<p class="notice" role="status">${t.bulkUploadExpired}</p>` : ''}
${formError(t, input.error)}
<p class="intro">${fill(t.bulkIntro, { header: BULK_COLUMNS.join(','), max: number(ctx, MAX_BULK_ROWS), size: `${MAX_BULK_FILE_MIB} MiB` })}</p>
<form method="post" action="${self}" enctype="multipart/form-data">${formBasics(ctx, self)}
<label for="file">${t.bulkFileLabel}</label><input type="file" id="file" name="file" accept=".csv,text/csv" required>
<div class="actions"><button type="submit">${t.bulkCheckButton}</button></div></form>
<h2>${t.bulkRecentHeading}</h2>
${recentJobsTable(ctx, t, jobs)}`,
  });
}

/** What the file holds, before anything starts: the counts, each bad row and each repeated address once. */
function reportBody(ctx: PortalContext, t: PortalDictionary, job: BulkJobResource): SafeHtml {
  const report = job.validation;
  const truncated = (cut: boolean) =>
    cut ? html`<p class="note">${fill(t.bulkListTruncated, { count: number(ctx, LISTED) })}</p>` : '';
  const duplicateAddresses = report.duplicates.length;
  return html`<p role="status">${fill(t.bulkReportSummary, {
    rows: number(ctx, report.rows),
    valid: number(ctx, report.validRows),
    invalid: number(ctx, report.invalidRowCount),
    duplicates: number(ctx, report.duplicateRowCount),
  })}</p>
${report.invalidRowCount === 0 && report.duplicateRowCount === 0 ? html`<p class="notice">${t.bulkReportAllGood}</p>` : html`<p class="note">${t.bulkRowNote}</p>`}
${
  report.invalidRows.length > 0
    ? html`<div class="scroll" tabindex="0"><table class="bulk-invalid"><caption>${t.bulkInvalidCaption}</caption>
<thead><tr><th scope="col">${t.bulkColRow}</th><th scope="col">${t.bulkColEmail}</th><th scope="col">${t.bulkColReason}</th></tr></thead>
<tbody>${report.invalidRows.map((r) => html`<tr><td>${String(r.row)}</td><td>${r.email}</td><td>${r.error}</td></tr>`)}</tbody></table></div>
${truncated(report.invalidRows.length < report.invalidRowCount)}`
    : ''
}
${
  duplicateAddresses > 0
    ? html`<div class="scroll" tabindex="0"><table class="bulk-duplicates"><caption>${t.bulkDuplicatesCaption}</caption>
<thead><tr><th scope="col">${t.bulkColEmail}</th><th scope="col">${t.bulkColRows}</th></tr></thead>
<tbody>${report.duplicates.map((d) => html`<tr><td>${d.email}</td><td>${d.rows.join(', ')}</td></tr>`)}</tbody></table></div>
${truncated(duplicateAddresses >= LISTED)}`
    : ''
}
${
  report.validRows > 0
    ? html`<form method="post" action="${ctx.base}/bulk/${job.id}/start">${formBasics(ctx, `${ctx.base}/bulk/${job.id}`)}
<div class="actions"><button type="submit">${t.bulkStartButton}</button></div></form>`
    : html`<p role="alert">${t.bulkReportNothing}</p>`
}
<p><a href="${ctx.base}/bulk">${t.bulkUploadAnother}</a></p>`;
}

/** Where a started job is: a <progress>, its sentence (live region), and the counts per status. */
function progressBody(ctx: PortalContext, t: PortalDictionary, job: BulkJobResource): SafeHtml {
  const done = job.status === 'completed';
  const sentence = done
    ? fill(t.bulkDoneText, { total: number(ctx, job.totalRows) })
    : fill(t.bulkProgressText, {
        processed: number(ctx, job.processedRows),
        total: number(ctx, job.totalRows),
        percent: String(job.percentComplete),
      });
  const count = (name: 'invited' | 'reinvited' | 'failed' | 'skipped', label: string) =>
    html`<dt>${label}</dt><dd data-count="${name}">${number(ctx, job[name])}</dd>`;
  return html`<div${done ? '' : html` data-bulk-progress="${ctx.base}/bulk/${job.id}/progress" data-text="${t.bulkProgressText}"`}>
<label for="bulk-progress">${t.bulkProgressLabel}</label>
<progress id="bulk-progress" max="${String(Math.max(1, job.totalRows))}" value="${String(job.processedRows)}">${String(job.percentComplete)} %</progress>
<p role="status" aria-live="polite" data-progress-text>${sentence}</p>
<dl>${count('invited', t.bulkCountInvited)}${count('reinvited', t.bulkCountReinvited)}${count('failed', t.bulkCountFailed)}${count('skipped', t.bulkCountSkipped)}</dl>
</div>
${
  done
    ? html`<p><a class="button" href="${ctx.base}/bulk/${job.id}/results" download>${t.bulkResultsLink}</a></p>`
    : html`<p class="note">${t.bulkRunningNote}</p>`
}
<p><a href="${ctx.base}/bulk">${t.bulkBackToList}</a></p>`;
}

/** A job's page: its validation report until it is started, then its live progress and, at the end, results. */
export function bulkJobPage(ctx: PortalContext, job: BulkJobResource, input: { error?: string } = {}) {
  const t = portalDictionaryOf(ctx.lang);
  const validated = job.status === 'validated';
  const running = job.status === 'running';
  const title = validated ? t.bulkReportTitle : t.bulkJobTitle;
  return consolePage(ctx, {
    title,
    section: 'bulk',
    ...(running && { scripts: ['/assets/bulk-progress.js'], refreshSeconds: REFRESH_SECONDS }),
    body: html`<h1>${title}</h1>
${formError(t, input.error)}
<p>${job.fileName ?? t.bulkUnnamed} · ${statusLabel(t, job.status)}</p>
${validated ? reportBody(ctx, t, job) : progressBody(ctx, t, job)}`,
  });
}
