/** Pure helpers of the attachment lists and file inputs (no React, no network). */

export type AttachmentType = 'image/png' | 'image/jpeg' | 'image/webp' | 'application/pdf' | 'text/plain';

const TYPE_LABELS: Record<AttachmentType, string> = {
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG photo',
  'image/webp': 'WebP image',
  'application/pdf': 'PDF document',
  'text/plain': 'Text file',
};

export function typeLabel(type: string): string {
  return TYPE_LABELS[type as AttachmentType] ?? type;
}

/** 812 bytes, 14 KB, 3.4 MB: what a person reads next to a file name. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, '') : Math.round(mb)} MB`;
}

/** What the file inputs accept: a hint to the browser's picker; the server decides by content. */
export const ACCEPT = 'image/png,image/jpeg,image/webp,application/pdf,text/plain,.log,.txt';

export interface Limits {
  maxBytes: number;
  maxPerTicket: number;
}

/**
 * Files the person chose, checked against what the server said its limits are before sending:
 * those too large, and those past the number the ticket may still take, each with a sentence
 * naming the file. The server checks again (and alone judges the type, by content).
 */
export function checkChosenFiles(files: readonly { name: string; size: number }[], limits: Limits, already: number): { send: number[]; refused: string[] } {
  const send: number[] = [];
  const refused: string[] = [];
  let room = Math.max(0, limits.maxPerTicket - already);
  files.forEach((f, i) => {
    if (f.size > limits.maxBytes) refused.push(`${f.name} is ${formatSize(f.size)}; the largest file Tierline accepts is ${formatSize(limits.maxBytes)}.`);
    else if (room === 0) refused.push(`${f.name} was not added: a ticket may have at most ${limits.maxPerTicket} attachments.`);
    else {
      room -= 1;
      send.push(i);
    }
  });
  return { send, refused };
}
