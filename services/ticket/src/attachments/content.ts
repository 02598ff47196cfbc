import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { ATTACHMENT_CONTENT_TYPES, type AttachmentContentType } from '@tierline/contracts';
import { AppError } from '@tierline/platform';

/**
 * What an uploaded file is, decided from its content and never from its name or the type the
 * browser claimed (docs/decisions/0037): PNG, JPEG and WebP photos and screenshots, PDF, and plain
 * text logs. Anything else (an executable renamed .png, an archive, an HTML page, an SVG with
 * script in it) is refused with 415 naming the file.
 */
export interface InspectedFile {
  contentType: AttachmentContentType;
  /** The bytes to store: for photos, re-encoded without location and camera metadata. */
  bytes: Buffer;
}

const LABEL: Record<AttachmentContentType, string> = {
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
  'image/webp': 'WebP image',
  'application/pdf': 'PDF',
  'text/plain': 'text file',
};

export const ALLOWED_DESCRIPTION = 'PNG, JPEG or WebP images, PDF documents and plain-text logs';

/** The name shown in Tierline: no directories, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const short = clean.length > 200 ? `${clean.slice(0, 150)}…${clean.slice(-49)}` : clean;
  return short === '' || short === '.' || short === '..' ? 'attachment' : short;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text without NUL or other control characters than tab, line feed, carriage return, form feed and escape (ANSI colours in logs). */
function isPlainText(bytes: Buffer): boolean {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f]/.test(text);
}

/**
 * Photos lose everything but their pixels: EXIF (GPS position, camera, time), XMP and IPTC are
 * dropped by re-encoding, with the EXIF orientation applied first so the picture still stands the
 * right way up; the colour profile is kept (it describes colours, not the place or the person).
 */
async function withoutMetadata(bytes: Buffer, type: 'image/png' | 'image/jpeg' | 'image/webp'): Promise<Buffer> {
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate().keepIccProfile();
  if (type === 'image/png') return image.png().toBuffer();
  if (type === 'image/jpeg') return image.jpeg({ quality: 92, mozjpeg: false }).toBuffer();
  return image.webp({ quality: 92 }).toBuffer();
}

/** Checks the file against the allow-list by its content, and readies its bytes for storage. */
export async function inspectFile(fileName: string, bytes: Buffer): Promise<InspectedFile> {
  if (bytes.byteLength === 0) throw new AppError('UNPROCESSABLE', `${fileName} is empty`);
  const found = await fileTypeFromBuffer(bytes);
  if (!found) {
    if (isPlainText(bytes)) return { contentType: 'text/plain', bytes };
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${fileName} is not a type Tierline accepts (its content is not recognised); accepted: ${ALLOWED_DESCRIPTION}`);
  }
  const type = (ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(found.mime) ? (found.mime as AttachmentContentType) : null;
  if (!type || type === 'text/plain') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${fileName} is ${found.mime} by its content, which Tierline does not accept; accepted: ${ALLOWED_DESCRIPTION}`);
  }
  if (type === 'application/pdf') return { contentType: type, bytes };
  try {
    return { contentType: type, bytes: await withoutMetadata(bytes, type) };
  } catch {
    throw new AppError('UNPROCESSABLE', `${fileName} looks like a ${LABEL[type]} but cannot be read as one (damaged or incomplete)`);
  }
}
