import { describe, expect, it } from 'vitest';
import { checkChosenFiles, formatSize, typeLabel } from './attachments.js';

describe('formatSize', () => {
  it('reads like a person would say it', () => {
    expect(formatSize(812)).toBe('812 bytes');
    expect(formatSize(14 * 1024 + 100)).toBe('14 KB');
    expect(formatSize(3.4 * 1024 * 1024)).toBe('3.4 MB');
    expect(formatSize(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatSize(25.6 * 1024 * 1024)).toBe('26 MB');
  });
});

describe('typeLabel', () => {
  it('names the accepted types and passes others through', () => {
    expect(typeLabel('image/jpeg')).toBe('JPEG photo');
    expect(typeLabel('text/plain')).toBe('Text file');
    expect(typeLabel('application/x-other')).toBe('application/x-other');
  });
});

describe('checkChosenFiles', () => {
  const limits = { maxBytes: 1000, maxPerTicket: 3 };
  it('sends what fits and names each file it holds back, and why', () => {
    const r = checkChosenFiles(
      [
        { name: 'a.png', size: 10 },
        { name: 'huge.jpg', size: 5000 },
        { name: 'b.log', size: 20 },
        { name: 'c.pdf', size: 30 },
      ],
      limits,
      1,
    );
    expect(r.send).toEqual([0, 2]);
    expect(r.refused).toEqual(['huge.jpg is 5 KB; the largest file Tierline accepts is 1000 bytes.', 'c.pdf was not added: a ticket may have at most 3 attachments.']);
  });
  it('sends nothing once the ticket is full', () => {
    expect(checkChosenFiles([{ name: 'a.png', size: 1 }], limits, 3).send).toEqual([]);
  });
});
