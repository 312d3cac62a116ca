/**
 * The one md5 routine of the codebase, with DVC's two ways of hashing a file:
 * - `md5`: md5 of the bytes (DVC 3.x outs, marked `hash: md5`);
 * - `md5-dos2unix`: DVC 2.x outs (no `hash:` key). If the first 512 bytes look like text, every CRLF is
 *   turned into LF before hashing. DVC applies that replacement to each 1 MiB read on its own, so a CRLF
 *   straddling a 1 MiB boundary is hashed as is; we reproduce that exactly by hashing in aligned blocks.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type HashMode = 'md5' | 'md5-dos2unix';

/** md5 of the empty string: the object of every empty file, under both modes. */
export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** DVC's read size (LOCAL_CHUNK_SIZE = 2**20); dos2unix is applied per block of this size. */
const DVC_BLOCK = 1 << 20;
/** DVC decides text vs binary from the first 512 bytes (istextfile DEFAULT_CHUNK_SIZE). */
const TEXT_PROBE = 512;

/** md5 hex digest of bytes or a UTF-8 string. */
export function md5Hex(data: Buffer | Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** DVC's istextblock: empty is text; a NUL byte means binary; else at most 30% bytes outside printable ASCII + \n\r\t\f\b. */
export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nontext = 0;
  for (const b of block) {
    if (b === 0) return false;
    const text = (b >= 32 && b < 127) || b === 10 || b === 13 || b === 9 || b === 12 || b === 8;
    if (!text) nontext++;
  }
  return nontext / block.length <= 0.3;
}

/** Replace every CRLF by LF (Python's `data.replace(b"\r\n", b"\n")`). */
export function dos2unix(data: Buffer): Buffer {
  let at = data.indexOf('\r\n');
  if (at < 0) return data;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(data.subarray(from, at));
    from = at + 1; // keep the LF, drop the CR
    at = data.indexOf('\r\n', from);
  }
  parts.push(data.subarray(from));
  return Buffer.concat(parts);
}

/** Incremental hasher over a byte stream, fed in chunks of any size; also counts the raw bytes. */
export class DvcHasher {
  private readonly md5: Hash = createHash('md5');
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private isText: boolean | undefined;
  bytes = 0;

  constructor(readonly mode: HashMode) {}

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.mode === 'md5') {
      this.md5.update(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    while (this.pendingLength >= DVC_BLOCK) {
      const all = Buffer.concat(this.pending, this.pendingLength);
      this.hashBlock(all.subarray(0, DVC_BLOCK));
      const rest = all.subarray(DVC_BLOCK);
      this.pending = rest.length ? [rest] : [];
      this.pendingLength = rest.length;
    }
  }

  /** Hex digest; call once, after the last chunk. */
  digest(): string {
    if (this.mode === 'md5-dos2unix' && this.pendingLength > 0) {
      this.hashBlock(Buffer.concat(this.pending, this.pendingLength));
      this.pending = [];
      this.pendingLength = 0;
    }
    return this.md5.digest('hex');
  }

  private hashBlock(block: Buffer): void {
    if (this.isText === undefined) this.isText = isTextBlock(block.subarray(0, TEXT_PROBE));
    this.md5.update(this.isText ? dos2unix(block) : block);
  }
}

/** Hash of in-memory bytes under a DVC hash mode. */
export function dvcHashBytes(data: Buffer, mode: HashMode): string {
  const h = new DvcHasher(mode);
  h.update(data);
  return h.digest();
}

/** Hash of a file on disk, streamed (memory stays flat for any size). */
export async function dvcHashFile(path: string, mode: HashMode): Promise<{ md5: string; size: number }> {
  const h = new DvcHasher(mode);
  for await (const chunk of createReadStream(path, { highWaterMark: DVC_BLOCK })) h.update(chunk as Buffer);
  return { md5: h.digest(), size: h.bytes };
}
