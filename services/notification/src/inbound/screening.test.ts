import { describe, expect, it } from 'vitest';
import { authFailure, loopReason, readHeaders, relayVerdicts } from './screening.js';

const own = { addresses: ['Tierline <tierline@tierline.test>', 'help@clinic.example'], messageIdDomains: ['notification.tierline'] };
const mail = (headers: string) => readHeaders(`${headers.trim()}\r\n\r\nbody\r\nAuto-Submitted: auto-replied\r\n`);
const person = 'From: Nora <nora@north.clinic.test>\r\nMessage-ID: <abc@mail.clinic.test>\r\nSubject: Printer';

describe('loopReason', () => {
  it('lets a person’s mail through (headers in the body do not count)', () => {
    expect(loopReason(mail(person), 'nora@north.clinic.test', own)).toBeNull();
    expect(loopReason(mail(`${person}\r\nAuto-Submitted: no`), 'nora@north.clinic.test', own)).toBeNull();
  });

  it('stops auto-replies, bulk and list mail', () => {
    expect(loopReason(mail(`${person}\r\nAuto-Submitted: auto-replied`), 'nora@north.clinic.test', own)).toMatch(/Auto-Submitted/);
    expect(loopReason(mail(`${person}\r\nPrecedence: bulk`), 'nora@north.clinic.test', own)).toMatch(/Precedence/);
    expect(loopReason(mail(`${person}\r\nPrecedence: junk`), 'nora@north.clinic.test', own)).toMatch(/Precedence/);
    expect(loopReason(mail(`${person}\r\nX-Auto-Response-Suppress: All`), 'nora@north.clinic.test', own)).toMatch(/X-Auto-Response-Suppress/);
    expect(loopReason(mail(`${person}\r\nList-Id: <staff.clinic.test>`), 'nora@north.clinic.test', own)).toMatch(/list/);
  });

  it('stops bounces: an empty return path or a delivery report', () => {
    expect(loopReason(mail(person), '', own)).toMatch(/bounce/);
    expect(loopReason(mail(`${person}\r\nContent-Type: multipart/report; report-type=delivery-status`), 'mailer@x', own)).toMatch(/bounce/);
  });

  it("stops Tierline's own mail: its From, its return path, its Message-ID domain", () => {
    expect(loopReason(mail('From: Tierline <TIERLINE@tierline.test>\r\nMessage-ID: <x@y>'), 'someone@x', own)).toMatch(/own mail/);
    expect(loopReason(mail(person), 'help@clinic.example', own)).toMatch(/own mail/);
    expect(loopReason(mail('From: Nora <nora@north.clinic.test>\r\nMessage-ID: <0123@notification.tierline>'), 'nora@north.clinic.test', own)).toMatch(/own mail/);
  });
});

describe('authFailure', () => {
  const ar = (v: string) => mail(`${person}\r\n${v}`);
  it('holds mail our relay found failing SPF, DKIM or DMARC', () => {
    expect(authFailure(ar('Authentication-Results: mx.clinic.example; spf=fail smtp.mailfrom=x; dkim=pass; dmarc=pass'), 'mx.clinic.example')).toMatch(/spf=fail/);
    expect(authFailure(ar('Authentication-Results: mx.clinic.example;\r\n  spf=pass; dkim=fail header.d=x; dmarc=fail'), 'mx.clinic.example')).toMatch(/dkim=fail, dmarc=fail/);
  });

  it('passes mail our relay passed, or did not judge', () => {
    expect(authFailure(ar('Authentication-Results: mx.clinic.example; spf=pass; dkim=pass; dmarc=pass'), 'mx.clinic.example')).toBeNull();
    expect(authFailure(ar('Authentication-Results: mx.clinic.example; none'), 'mx.clinic.example')).toBeNull();
    expect(authFailure(mail(person), 'mx.clinic.example')).toBeNull();
  });

  it('believes only the topmost header of our authserv-id, not one the sender wrote', () => {
    const h = ar('Authentication-Results: mx.clinic.example; spf=fail; dmarc=fail\r\nAuthentication-Results: mx.clinic.example; spf=pass; dmarc=pass\r\nAuthentication-Results: evil.example; spf=pass');
    expect(authFailure(h, 'mx.clinic.example')).toMatch(/spf=fail/);
    // A sender's own "pass" below the relay's verdict changes nothing; another server's "fail" is not ours to believe.
    expect(authFailure(ar('Authentication-Results: other.example; spf=fail; dmarc=fail'), 'mx.clinic.example')).toBeNull();
  });

  it('counts a message as DKIM-passed when one of several signatures passes', () => {
    expect(relayVerdicts(ar('Authentication-Results: mx.clinic.example; dkim=fail header.d=a; dkim=pass header.d=b'), 'mx.clinic.example')).toEqual({ dkim: 'pass' });
  });
});
