import { describe, expect, it } from 'vitest';
import { titleFrom } from './processor.js';

describe('titleFrom', () => {
  it('takes the subject without the prefixes mail clients add', () => {
    expect(titleFrom('Re: RE: Fwd: Printer on ward 4', 'Nora')).toBe('Printer on ward 4');
    expect(titleFrom('AW: WG: Drucker', 'Nora')).toBe('Drucker');
    expect(titleFrom('  Scanner   jammed ', 'Nora')).toBe('Scanner jammed');
  });

  it('names the sender when there is no subject', () => {
    expect(titleFrom(undefined, 'Nora Nurse')).toBe('Email from Nora Nurse');
    expect(titleFrom('Re:', 'Nora Nurse')).toBe('Email from Nora Nurse');
  });
});
