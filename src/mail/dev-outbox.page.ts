import Handlebars from 'handlebars';
import type { OutboxMail } from './dev-outbox.service.js';

const page = Handlebars.compile<{ mails: readonly OutboxMail[] }>(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>otp-auth · development outbox</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2933; background: #f5f7fa; }
  article { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
  .meta { color: #52606d; font-size: 14px; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: 14px; }
</style></head>
<body>
<h1>Development outbox</h1>
<p class="meta">E-mails the service sent, newest first (the last 100). Refreshes every 5 seconds.
Also as JSON at <a href="/dev/outbox.json">/dev/outbox.json</a>.</p>
{{#each mails}}
<article class="mail">
  <div class="meta">To <strong class="to">{{to}}</strong> · <time>{{sent_at}}</time></div>
  <h2 class="subject">{{subject}}</h2>
  <pre class="text">{{text}}</pre>
</article>
{{else}}
<p>No e-mail yet. Register in <a href="/docs">Swagger UI</a> and the code shows up here.</p>
{{/each}}
</body></html>`);

/** The outbox as a small HTML page; every value is escaped by Handlebars. */
export function renderOutboxPage(mails: readonly OutboxMail[]): string {
  return page({ mails });
}
