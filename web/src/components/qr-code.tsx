// A ticket's QR code (its signed payload, or the plain code): uqr encodes it, and the modules are drawn as one SVG path (no innerHTML, CSP-safe).
import { useMemo } from 'preact/hooks';
import { encode } from 'uqr';

export function QrCode({
  value,
  label,
  code = value,
  size = 176,
}: {
  value: string;
  label: string;
  /** The ticket code the QR code stands for, when `value` is its signed payload. */
  code?: string;
  size?: number;
}) {
  const { path, modules } = useMemo(() => {
    const { data, size: count } = encode(value, { ecc: 'M', border: 2 });
    let d = '';
    data.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      });
    });
    return { path: d, modules: count };
  }, [value]);
  return (
    <svg
      class="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shape-rendering="crispEdges"
      data-code={code}
    >
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
