// A QR code as a PNG of one bit per pixel, black on white. The qrcode library computes the code (encoding, error
// correction, masking); this only draws its modules. qrcode's own PNG output goes through pngjs, which writes 8-bit
// RGBA and tries all five row filters on every row in JavaScript: about 20 ms of CPU for a 400-pixel code, for every
// ticket of every confirmation email, against 2-3 ms here (the code itself about 1 ms of it), and a file a few
// hundred bytes long instead of 4 KB. Every scanner and mail client reads 1-bit grayscale PNGs.
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

export interface QrPngOptions {
  /** The image's width and height at most, in pixels: modules are drawn at the largest whole size that fits. */
  width: number;
  /** The quiet zone around the code, in modules. */
  margin: number;
  errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H';
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, tail]);
}

/**
 * `text` as one byte-mode segment, what qrcode encodes. Given a plain string, qrcode searches (Dijkstra over every way
 * to split it) for the shortest mix of numeric, alphanumeric and byte segments: for a ticket's payload (base64url, a
 * JWS) that search took as long as the rest of the code, about 1 ms per ticket of each confirmation email, and gave
 * the same QR version as byte mode alone. Byte mode holds the text's UTF-8 bytes, as qrcode would have for any non-ASCII text.
 */
export function qrSegments(text: string): QRCode.QRCodeSegment[] {
  return [{ data: Buffer.from(text, 'utf8'), mode: 'byte' }];
}

/** The PNG of `text`'s QR code. Throws as qrcode does for text too long for any QR version. */
export function qrPng(text: string, options: QrPngOptions): Buffer {
  const { modules } = QRCode.create(qrSegments(text), {
    errorCorrectionLevel: options.errorCorrectionLevel,
  });
  const size = modules.size;
  const total = size + 2 * options.margin;
  const scale = Math.max(1, Math.floor(options.width / total));
  const pixels = total * scale;
  const rowBytes = Math.ceil(pixels / 8);
  // Each image row: filter type 0 (none), then the pixels, 1 = white (bits past the last pixel are padding, which
  // decoders ignore). The rows of one module row are identical.
  const image = Buffer.alloc((rowBytes + 1) * pixels);
  for (let moduleRow = 0; moduleRow < total; moduleRow += 1) {
    const row = Buffer.alloc(rowBytes + 1);
    const y = moduleRow - options.margin;
    for (let x = 0; x < pixels; x += 1) {
      const column = Math.floor(x / scale) - options.margin;
      const dark =
        y >= 0 && y < size && column >= 0 && column < size && modules.data[y * size + column] === 1;
      const at = 1 + (x >> 3);
      if (!dark) row[at] = (row[at] as number) | (0x80 >> (x & 7));
    }
    for (let repeat = 0; repeat < scale; repeat += 1)
      row.copy(image, (moduleRow * scale + repeat) * (rowBytes + 1));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(image, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
