/**
 * The new text of an email reply: what the person wrote, without the quoted message below (or
 * interleaved `>` lines), the client's "On … wrote:" / "-----Original Message-----" / Outlook
 * header block that introduces it, and a signature after the standard `-- ` delimiter or a
 * mobile client's "Sent from my …". Cuts at the first marker, so text written below a quote
 * (bottom posting) is lost with it: help-desk replies are top-posted in practice, and losing a
 * tail is safer than publishing a quoted history that may hold another patient's details.
 */
const CUT_MARKERS: RegExp[] = [
  // Gmail, Apple Mail, Thunderbird: "On Tue, 3 Dec 2026 at 10:00, Tierline <…> wrote:"
  /^\s*On\b.{0,300}\bwrote:\s*$/i,
  /^\s*Le\b.{0,300}\ba écrit\s*:\s*$/i,
  /^\s*Am\b.{0,300}\bschrieb\b.{0,100}:\s*$/i,
  /^\s*-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
  // Outlook's rule above its header block.
  /^\s*_{10,}\s*$/,
  /^--\s?$/,
  /^\s*Sent from my \w+/i,
  /^\s*Get Outlook for \w+/i,
];

/** Outlook without a rule: "From: …" followed within a few lines by "Sent:"/"Date:" and "Subject:". */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (!/^\s*\**From:\**\s/i.test(lines[i]!)) return false;
  const next = lines.slice(i + 1, i + 6).join('\n');
  return /^\s*\**(Sent|Date):/im.test(next) && /^\s*\**Subject:/im.test(next);
}

export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // "On … wrote:" wrapped over two lines by the client.
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1]!}` : line;
    if (CUT_MARKERS.some((m) => m.test(line)) || isHeaderBlock(lines, i) || (/^\s*On\b/i.test(line) && /\bwrote:\s*$/i.test(joined) && !/wrote:/i.test(line))) {
      end = i;
      break;
    }
  }
  return lines
    .slice(0, end)
    .filter((l) => !/^\s*>/.test(l))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
