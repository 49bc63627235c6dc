/**
 * The bulk job page's live progress (src/console/pages/bulk.ts), served as /assets/bulk-progress.js so the
 * Content-Security-Policy allows it by origin alone (no inline code, no nonce). Without it the page reloads
 * itself (<noscript> refresh); with it, the page asks the job's JSON every second, moves the <progress> and
 * the counts, and its status sentence (an aria-live region) says where the job is. Once the job is done, the
 * page is loaded again: the server renders the final counts and the results link.
 */
export const bulkProgressScript = `'use strict';
(function () {
  var root = document.querySelector('[data-bulk-progress]');
  if (!root) return;
  var url = root.getAttribute('data-bulk-progress');
  var template = root.getAttribute('data-text') || '';
  var bar = root.querySelector('progress');
  var text = root.querySelector('[data-progress-text]');
  var lastText = '';
  function show(job) {
    if (bar) {
      bar.max = Math.max(1, job.totalRows);
      bar.value = job.processedRows;
    }
    var sentence = template
      .replace('{processed}', job.processedRows.toLocaleString(document.documentElement.lang))
      .replace('{total}', job.totalRows.toLocaleString(document.documentElement.lang))
      .replace('{percent}', String(job.percentComplete));
    // Only a change is written, so a screen reader hears progress, not the same sentence every second.
    if (text && sentence !== lastText) {
      text.textContent = sentence;
      lastText = sentence;
    }
    ['invited', 'reinvited', 'failed', 'skipped'].forEach(function (name) {
      var cell = root.querySelector('[data-count="' + name + '"]');
      if (cell) cell.textContent = job[name].toLocaleString(document.documentElement.lang);
    });
  }
  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.status === 'completed') window.location.reload();
        else setTimeout(poll, 1000);
      })
      .catch(function () {
        // Signed out or offline: a reload shows the sign-in or the page as the server has it.
        setTimeout(function () { window.location.reload(); }, 5000);
      });
  }
  setTimeout(poll, 500);
})();
`;
