// `npm run send-test-mail -- [--from <address>] [--to <address>] [--subject <text>] [--body <text>] [--header "Name: value"]... [--attach <file>]...`
// Delivers one mail over SMTP to the help desk's inbound listener of the local stack, as the
// clinic's relay would. By default nora.nurse writes to the help desk, which opens a ticket for her
// (North Clinic); --to a reply address (the Reply-To of a Tierline mail in Mailpit) adds a comment.
// --attach adds a file to the mail, which is stored on the ticket (or refused, and the sender told).
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'Nora Nurse <nora.nurse@north.clinic.test>' },
    to: { type: 'string', default: process.env.HELPDESK_ADDRESS ?? 'help@clinic.example' },
    subject: { type: 'string', default: 'The label printer on ward 4 prints blank labels' },
    body: { type: 'string', default: 'Since this morning every label comes out blank. We restarted it twice.' },
    header: { type: 'string', multiple: true, default: [] },
    attach: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: process.env.INBOUND_SMTP_PORT ?? '2525' },
  },
});
const headers = Object.fromEntries(
  values.header.map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new Error(`--header needs "Name: value", got "${h}"`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  }),
);
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(values.port), secure: false, ignoreTLS: true });
const attachments = values.attach.map((path) => ({ path }));
const info = await transport.sendMail({ from: values.from, to: values.to, subject: values.subject, text: values.body, headers, attachments });
process.stdout.write(`${info.response}\nSent ${info.messageId} to ${values.to}. What became of it: the ticket list in the portal, or (as lee.lead) GET /api/v1/notifications/inbound-mail.\n`);
