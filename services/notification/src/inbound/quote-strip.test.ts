import { describe, expect, it } from 'vitest';
import { stripQuoted } from './quote-strip.js';

describe('stripQuoted', () => {
  it('keeps what was written above a Gmail/Apple "On … wrote:" quote', () => {
    const text = 'It still fails after the restart.\nThe error is E42.\n\nOn Tue, 3 Dec 2026 at 10:00, Tierline <tierline@tierline.test> wrote:\n> IT-1042: can you restart the PC?\n> Thanks';
    expect(stripQuoted(text)).toBe('It still fails after the restart.\nThe error is E42.');
  });

  it('handles the "On … wrote:" line wrapped over two lines', () => {
    const text = 'Yes, done.\n\nOn Tue, 3 Dec 2026 at 10:00, Tierline IT Help Desk\n<tierline@tierline.test> wrote:\n> question';
    expect(stripQuoted(text)).toBe('Yes, done.');
  });

  it('cuts at an Outlook header block, with or without its rule', () => {
    const ruled = 'Printer works now.\r\n\r\n________________________________\r\nFrom: Tierline <tierline@tierline.test>\r\nSent: Tuesday\r\nSubject: IT-1042';
    expect(stripQuoted(ruled)).toBe('Printer works now.');
    const bare = 'Printer works now.\n\nFrom: Tierline <tierline@tierline.test>\nSent: Tuesday, 3 December 2026 10:00\nTo: Nora\nSubject: IT-1042\n\nold text';
    expect(stripQuoted(bare)).toBe('Printer works now.');
    const original = 'Thanks\n-----Original Message-----\nFrom: x';
    expect(stripQuoted(original)).toBe('Thanks');
  });

  it('drops signatures and mobile footers', () => {
    expect(stripQuoted('Fixed, thanks.\n\n-- \nNora Nurse\nWard 4')).toBe('Fixed, thanks.');
    expect(stripQuoted('Fixed, thanks.\n\nSent from my iPhone')).toBe('Fixed, thanks.');
  });

  it('drops interleaved quoted lines but keeps the answers between them', () => {
    expect(stripQuoted('> Which room?\nRoom 12\n> Which PC?\nThe one by the door')).toBe('Room 12\nThe one by the door');
  });

  it('leaves a message without any quote as it is (trimmed)', () => {
    expect(stripQuoted('  The scanner on ward 3 is jammed.\nOn the left tray.  ')).toBe('The scanner on ward 3 is jammed.\nOn the left tray.');
  });

  it('gives an empty string for a reply that only quotes', () => {
    expect(stripQuoted('On Mon, Tierline wrote:\n> hello')).toBe('');
  });
});
