import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Where attachment content lives: one S3 bucket, through the S3 API (AWS SDK v3), so a deployment
 * points it at AWS S3 or any compatible store; the local stack and the tests run versitygw
 * (infra/stack.mjs). The service never hands out the bucket's URLs: content leaves only through
 * its own download route, after the authorization check (docs/decisions/0037).
 */
export interface ObjectStore {
  readonly bucket: string;
  put(key: string, body: Uint8Array, contentType: string, sha256: string): Promise<void>;
  /** The object's content as a stream, or null when there is no such object. */
  get(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Removes the object; removing one that is not there is not an error. */
  remove(key: string): Promise<void>;
  close(): void;
}

export interface ObjectStoreConfig {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export function createObjectStore(cfg: ObjectStoreConfig): ObjectStore {
  const client = new S3Client({
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.accessKeyId && cfg.secretAccessKey ? { credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } } : {}),
    maxAttempts: 3,
  });
  const Bucket = cfg.bucket;
  return {
    bucket: Bucket,
    async put(key, body, contentType, sha256) {
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.byteLength,
          // The store checks what it received against what was sent.
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        }),
      );
    },
    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return res.Body ? (res.Body.transformToWebStream() as ReadableStream<Uint8Array>) : null;
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    close() {
      client.destroy();
    },
  };
}
