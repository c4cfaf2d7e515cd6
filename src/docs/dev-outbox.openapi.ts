import type { PathItemObject } from '@nestjs/swagger';
import { NO_STORE } from '../common/http/api-response-headers.js';

/** Where the JSON outbox is served (`mail/dev-outbox.controller.ts`). */
export const OUTBOX_JSON_PATH = '/dev/outbox.json';

/**
 * `GET /dev/outbox.json` as the OpenAPI document shows it when the outbox is on. Its controller is
 * left out of the generated document, so that a host application's docs never list it.
 */
export const OUTBOX_PATH_ITEM: PathItemObject = {
  get: {
    tags: ['Operations'],
    operationId: 'listOutbox',
    security: [],
    summary: 'The development outbox',
    description:
      'The e-mails the service sent, newest first (the last 100), verification codes and reset tokens ' +
      'included. Served only without `MAIL_URL` and outside production. The same as a page with copy ' +
      'buttons: [/dev/outbox](/dev/outbox).',
    responses: {
      '200': {
        description: 'The e-mails, newest first.',
        headers: NO_STORE,
        content: {
          'application/json': {
            schema: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  to: { type: 'string', format: 'email' },
                  subject: { type: 'string' },
                  text: { type: 'string', description: 'The plain-text body.' },
                  html: { type: 'string' },
                  sent_at: { type: 'string', format: 'date-time' },
                },
                required: ['to', 'subject', 'text', 'html', 'sent_at'],
              },
            },
            example: [
              {
                to: 'ada@example.com',
                subject: 'Your verification code: 042917',
                text: 'Hello Ada Lovelace,\n\nYour verification code is: 042917\n\nIt expires in 10 minutes. …',
                html: '<!doctype html>\n<html><body>…</body></html>',
                sent_at: '2026-11-25T10:00:00.000Z',
              },
            ],
          },
        },
      },
    },
  },
};
