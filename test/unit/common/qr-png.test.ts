import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { qrPng } from '../../../layers/common/qr-png';

const OPTIONS = { width: 400, margin: 2, errorCorrectionLevel: 'M' } as const;
// The shape of a ticket's signed payload (tickets/qr.ts): a prefix, then base64url parts.
const PAYLOAD = `TOL1.${'eyJ0IjoiNmYxYzQ2ZGMtOTZhYy00ZTZlLWE3YjEtMmIzZDQ2OWQ5ZjAxIn0'.repeat(2)}.c2lnbmF0dXJl`;

function read(png: Buffer) {
  const image = PNG.sync.read(png);
  return { image, text: jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data };
}

describe('qrPng', () => {
  it('draws a code a scanner reads back as the same text', () => {
    for (const text of [PAYLOAD, 'a', `${PAYLOAD}-${'x'.repeat(300)}`])
      expect(read(qrPng(text, OPTIONS)).text).toBe(text);
  });

  it('draws whole-pixel modules within the width asked, black on white, with the quiet zone white', () => {
    const png = qrPng(PAYLOAD, OPTIONS);
    const { image } = read(png);
    const modules = QRCode.create(PAYLOAD, { errorCorrectionLevel: 'M' }).modules;
    const total = modules.size + 2 * OPTIONS.margin;
    const scale = Math.floor(OPTIONS.width / total);
    expect(image.width).toBe(total * scale);
    expect(image.height).toBe(image.width);
    expect(image.width).toBeLessThanOrEqual(OPTIONS.width);
    const pixel = (x: number, y: number) => image.data[(y * image.width + x) * 4];
    // Every pixel is the colour of its module: dark modules black, the rest (and the margin) white.
    for (let y = 0; y < image.height; y += 1)
      for (let x = 0; x < image.width; x += 1) {
        const row = Math.floor(y / scale) - OPTIONS.margin;
        const column = Math.floor(x / scale) - OPTIONS.margin;
        const inside = row >= 0 && row < modules.size && column >= 0 && column < modules.size;
        const dark = inside && modules.data[row * modules.size + column] === 1;
        if (pixel(x, y) !== (dark ? 0 : 255))
          throw new Error(`pixel ${x},${y} is ${pixel(x, y)}, its module is ${dark ? 'dark' : 'light'}`);
      }
  });

  it('is a one-bit grayscale PNG a fraction of the size of an RGBA one', async () => {
    const png = qrPng(PAYLOAD, OPTIONS);
    // IHDR: bit depth 1, colour type 0 (grayscale).
    expect([png[24], png[25]]).toEqual([1, 0]);
    const rgba = await QRCode.toBuffer(PAYLOAD, { type: 'png', ...OPTIONS });
    expect(png.length).toBeLessThan(rgba.length / 2);
  });

  it('refuses text too long for any QR code, as qrcode does', () => {
    expect(() => qrPng('x'.repeat(5000), OPTIONS)).toThrow();
  });
});
