import { type HtmlPage, html, trustedHtml } from '../html.ts';
import { layout } from './layout.ts';

/**
 * The upload page (GET /ui/upload): a drop zone and a plain file input (either works), a choice of
 * action plan or inspection report, and a small inline script that does what any API client does:
 * POST /uploads with the bearer token the local server put in the page, PUT the file to the
 * granted URL, then poll the upload's status every 500 ms until it is parsed or failed.
 */

export interface UploadPageInput {
  /** A bearer token for the local API (minted by the local server: a local-only tool). */
  token: string;
}

export const POLL_INTERVAL_MS = 500;

/** The script's own code: no values from outside (the token is read from the form's data attribute). */
const UPLOAD_SCRIPT = `
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  var input = document.getElementById('file');
  var zone = document.getElementById('drop-zone');
  var chosen = document.getElementById('chosen-file');
  var status = document.getElementById('upload-status');
  var button = document.getElementById('upload-button');
  var token = form.getAttribute('data-token');
  var auth = { authorization: 'Bearer ' + token };
  var dropped = null;

  function say(text, failed) {
    status.className = failed ? 'upload-status failed' : 'upload-status';
    status.textContent = text;
  }
  function showChosen() {
    var file = input.files && input.files[0];
    chosen.textContent = file ? 'Chosen: ' + file.name : 'No file chosen';
  }
  function problemText(response, body) {
    if (body && (body.detail || body.title)) return body.detail || body.title;
    return 'the server answered ' + response.status;
  }
  async function readJson(response) {
    try { return await response.json(); } catch (error) { return null; }
  }

  input.addEventListener('change', showChosen);
  ['dragenter', 'dragover'].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add('dragging'); });
  });
  ['dragleave', 'drop'].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove('dragging'); });
  });
  zone.addEventListener('drop', function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || files.length === 0) return;
    try { input.files = files; } catch (error) { /* older browsers: the file is still uploaded below */ }
    dropped = files[0];
    chosen.textContent = 'Chosen: ' + files[0].name;
  });

  function describe(upload) {
    switch (upload.status) {
      case 'awaiting_file': return upload.reason ? 'Failed: ' + upload.reason : 'Waiting for the file';
      case 'queued': return 'Queued';
      case 'analysing':
        if (upload.pages && upload.pages.analysed !== null && upload.pages.total !== null) {
          return 'Analysing page ' + upload.pages.analysed + ' of ' + upload.pages.total;
        }
        if (upload.pages && upload.pages.total !== null) return 'Analysing ' + upload.pages.total + ' pages';
        return 'Analysing';
      case 'parsed': return 'Parsed';
      case 'failed': return 'Failed: ' + (upload.reason || 'the document could not be read');
      default: return upload.status;
    }
  }

  function poll(statusUrl) {
    setTimeout(async function () {
      try {
        var response = await fetch(statusUrl, { headers: auth, cache: 'no-store' });
        var upload = await readJson(response);
        if (!response.ok) throw new Error(problemText(response, upload));
        if (upload.status === 'parsed') {
          say('Parsed', false);
          if (upload.plan) {
            var link = document.createElement('a');
            link.href = '/ui/plans/' + encodeURIComponent(upload.plan.planId);
            link.textContent = 'Open the plan';
            status.appendChild(document.createTextNode(': '));
            status.appendChild(link);
          }
          button.disabled = false;
          return;
        }
        if (upload.status === 'failed' || (upload.status === 'awaiting_file' && upload.reason)) {
          say(describe(upload), true);
          button.disabled = false;
          return;
        }
        say(describe(upload), false);
        poll(statusUrl);
      } catch (error) {
        say('Failed: ' + error.message, true);
        button.disabled = false;
      }
    }, ${POLL_INTERVAL_MS});
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var file = (input.files && input.files[0]) || dropped;
    if (!file) { say('Choose a PDF file first', true); input.focus(); return; }
    var kind = form.querySelector('input[name="kind"]:checked');
    button.disabled = true;
    try {
      say('Requesting an upload', false);
      var granted = await fetch('/uploads', {
        method: 'POST',
        headers: { authorization: auth.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: kind ? kind.value : 'plan', fileName: file.name })
      });
      var grant = await readJson(granted);
      if (!granted.ok) throw new Error(problemText(granted, grant));
      say('Uploading ' + file.name, false);
      var put = await fetch(grant.upload.url, { method: grant.upload.method || 'PUT', headers: grant.upload.headers || {}, body: file });
      if (!put.ok) throw new Error('the file was not accepted (' + put.status + ')');
      say('Queued', false);
      poll(grant.statusUrl);
    } catch (error) {
      say('Failed: ' + error.message, true);
      button.disabled = false;
    }
  });
})();
`.trim();

export function renderUploadPage({ token }: UploadPageInput): HtmlPage {
  const title = 'Upload a plan or report';
  const body = html`<h1>${title}</h1>
<p>Upload an action plan PDF, or an inspection report PDF (which starts a draft plan awaiting the prison’s response). It is read here, on this computer.</p>
<noscript><p class="error-message">Uploading from this page needs JavaScript.</p></noscript>
<form id="upload-form" data-token="${token}">
<fieldset class="radios">
<legend>What is the document?</legend>
<input type="radio" id="kind-plan" name="kind" value="plan" checked><label for="kind-plan">An action plan</label>
<input type="radio" id="kind-report" name="kind" value="report"><label for="kind-report">An inspection report</label>
</fieldset>
<div id="drop-zone" class="drop-zone">
<p>Drag and drop a PDF here, or choose one:</p>
<label for="file">PDF file</label>
<input type="file" id="file" name="file" accept=".pdf,application/pdf">
<p id="chosen-file" class="hint">No file chosen</p>
</div>
<button type="submit" id="upload-button" class="button">Upload</button>
</form>
<div id="upload-status" class="upload-status" role="status" aria-live="polite"></div>
<p class="hint">The page asks the local API for an upload URL, sends the file to it and follows the analysis. The plan appears in <a href="/">Plans</a> once it is parsed.</p>
<script>${trustedHtml(UPLOAD_SCRIPT)}</script>`;
  return layout({ title, body, status: 200, current: 'upload' });
}
