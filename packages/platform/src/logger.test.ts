import { describe, expect, it } from 'vitest';
import { createLogger, scrubPersonalData } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('test', 'info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

describe('logger redaction', () => {
  it('redacts ticket content, contacts and credentials at the top and one level down', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        ticketId: 't-1',
        title: 'Mrs Miller (room 4) cannot print her chart',
        description: 'Patient DOB 1950-01-02',
        body: 'internal note',
        email: 'nora@clinic.example',
        user: { id: 'u1', firstName: 'Nora', lastName: 'Nurse', mobile: '+4915123456789', displayName: 'Nora Nurse' },
        headers: { authorization: 'Bearer abc' },
        password: 'hunter2',
      },
      'something happened',
    );
    const line = lines[0]!;
    expect(line).toMatchObject({
      ticketId: 't-1',
      title: '[redacted]',
      description: '[redacted]',
      body: '[redacted]',
      email: '[redacted]',
      password: '[redacted]',
      user: { id: 'u1', firstName: '[redacted]', lastName: '[redacted]', mobile: '[redacted]', displayName: '[redacted]' },
      headers: { authorization: '[redacted]' },
      msg: 'something happened',
    });
    expect(JSON.stringify(line)).not.toMatch(/Miller|1950|Nora|hunter2|4915123456789/);
  });

  it('masks addresses and phone numbers in free text and in error messages', () => {
    const { logger, lines } = capture();
    logger.error({ deliveryId: 'd1', error: '550 5.1.1 <nora@clinic.example>: mailbox unavailable; sms to +4915123456789 failed' }, 'delivery failed');
    logger.error({ err: new Error('cannot reach sam.staff@clinic.example') }, 'unhandled error');
    expect(lines[0]!['error']).toBe('550 5.1.1 <[email]>: mailbox unavailable; sms to [phone] failed');
    expect((lines[1]!['err'] as { message: string; type: string }).message).toBe('cannot reach [email]');
    expect((lines[1]!['err'] as { stack: string }).stack).not.toContain('sam.staff@');
    expect(lines[1]!['err']).toMatchObject({ type: 'Error' });
  });

  it('leaves ids, numbers, times and ordinary words alone', () => {
    expect(scrubPersonalData('IT-1042 P1 escalated at 2026-11-27T10:00:00Z to tier 2, 3 targets, port 55432')).toBe(
      'IT-1042 P1 escalated at 2026-11-27T10:00:00Z to tier 2, 3 targets, port 55432',
    );
  });
});
