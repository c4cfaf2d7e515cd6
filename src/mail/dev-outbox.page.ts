import Handlebars from 'handlebars';
import type { OutboxEntry } from './dev-outbox.service.js';

/** Where the page's script is served: the CSP allows scripts from the service itself only. */
export const OUTBOX_SCRIPT_PATH = '/dev/outbox.js';

interface PageMail {
  to: string;
  subject: string;
  text: string;
  sentAt: string;
  sentAtIso: string;
  copy?: { label: string; value: string; long: boolean };
}

interface PageView {
  mails: PageMail[];
  countText: string;
  latest: string;
  script: string;
}

const page = Handlebars.compile<PageView>(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="5"></noscript>
<title>otp-auth · development outbox</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  main { max-width: 860px; margin: 0 auto; padding: 24px; }
  h1 { margin: 0 0 4px; font-size: 26px; }
  .lead, .meta, .status { color: #52606d; font-size: 14px; margin: 4px 0; }
  .status { font-style: italic; }
  article { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
  article:first-of-type { border-color: #3ebd93; box-shadow: 0 1px 4px rgba(31, 41, 51, 0.12); }
  h2 { font-size: 18px; margin: 0 0 4px; }
  .copy { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin: 12px 0;
    padding: 10px 14px; background: #effcf6; border: 1px solid #8eedc7; border-radius: 6px; }
  .copy-label { font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.5px; color: #147d64; }
  .copy-value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 28px;
    font-weight: 700; letter-spacing: 4px; user-select: all; color: #0c6b58; }
  .copy-value.long { font-size: 13px; font-weight: 400; letter-spacing: 0; word-break: break-all; flex: 1 1 100%; }
  .copy-button { font: inherit; font-size: 14px; padding: 6px 14px; border-radius: 6px; cursor: pointer;
    border: 1px solid #147d64; background: #fff; color: #147d64; }
  .copy-button:hover { background: #147d64; color: #fff; }
  .copy-button.done { background: #147d64; color: #fff; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: 14px; background: #f5f7fa;
    padding: 10px 12px; border-radius: 6px; margin: 8px 0 0; }
  a { color: #2680c2; }
</style></head>
<body data-latest="{{latest}}">
<main>
<h1>Development outbox</h1>
<p class="lead">The e-mails the service sent, newest first (the last 100): copy the code into
<a href="/docs">Swagger UI</a>. Also as JSON at <a href="/dev/outbox.json">/dev/outbox.json</a>.
It exists because no <code>MAIL_URL</code> is set, and never in production.</p>
<p class="status" id="status" aria-live="polite">{{countText}}. New e-mails appear by themselves.</p>
{{#each mails}}
<article class="mail">
  <h2 class="subject">{{subject}}</h2>
  <p class="meta">To <strong class="to">{{to}}</strong> · <time datetime="{{sentAtIso}}">{{sentAt}}</time></p>
  {{#if copy}}
  <div class="copy">
    <span class="copy-label">{{copy.label}}</span>
    <code class="copy-value{{#if copy.long}} long{{/if}}" id="copy-{{@index}}">{{copy.value}}</code>
    <button type="button" class="copy-button" data-copy="copy-{{@index}}">Copy</button>
  </div>
  {{/if}}
  <pre class="text">{{text}}</pre>
</article>
{{else}}
<p class="empty">No e-mail yet. Register in <a href="/docs">Swagger UI</a> and the code shows up here.</p>
{{/each}}
</main>
<script src="{{script}}"></script>
</body></html>`);

/** What changes when a mail arrives; the page's script reloads when the JSON tells another. */
export function outboxSignature(mails: readonly { sent_at: string; to: string }[]): string {
  const newest = mails[0];
  return newest ? `${mails.length}|${newest.sent_at}|${newest.to}` : '0';
}

/** `2026-11-25T10:00:03.123Z` → `2026-11-25 10:00:03 UTC`. */
function displayTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The outbox as a small HTML page; every value is escaped by Handlebars. */
export function renderOutboxPage(mails: readonly OutboxEntry[]): string {
  return page({
    countText: mails.length === 1 ? '1 e-mail' : `${mails.length} e-mails`,
    latest: outboxSignature(mails),
    script: OUTBOX_SCRIPT_PATH,
    mails: mails.map((mail) => ({
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      sentAt: displayTime(mail.sent_at),
      sentAtIso: mail.sent_at,
      copy: mail.copy && { ...mail.copy, long: mail.copy.value.length > 16 },
    })),
  });
}

/**
 * The page's script: copy buttons (the Clipboard API where the page is a secure context, such as
 * http://localhost, else the selection and `execCommand('copy')`, as on plain http to another
 * host), and a poll of the JSON every 2 seconds that reloads the page when a mail arrives. A
 * file of its own, as the Content-Security-Policy allows no inline script.
 */
export const OUTBOX_SCRIPT = `'use strict';
(() => {
  const status = document.getElementById('status');
  const statusText = status.textContent;

  function select(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(element) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(element.textContent);
        return true;
      } catch {
        // denied: fall back to the selection
      }
    }
    select(element);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }

  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy]');
    const value = button && document.getElementById(button.dataset.copy);
    if (!value) return;
    const copied = await copy(value);
    if (!copied) select(value);
    button.textContent = copied ? 'Copied' : 'Press Ctrl+C';
    button.classList.toggle('done', copied);
    setTimeout(() => {
      button.textContent = 'Copy';
      button.classList.remove('done');
    }, 2000);
  });

  function signature(mails) {
    return mails.length > 0 ? mails.length + '|' + mails[0].sent_at + '|' + mails[0].to : '0';
  }

  async function poll() {
    try {
      const response = await fetch('/dev/outbox.json', { cache: 'no-store' });
      if (response.ok) {
        if (signature(await response.json()) !== document.body.dataset.latest) {
          location.reload();
          return;
        }
        status.textContent = statusText + ' Checked at ' + new Date().toLocaleTimeString() + '.';
      }
    } catch {
      status.textContent = statusText + ' The service does not answer; trying again…';
    }
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
})();
`;
