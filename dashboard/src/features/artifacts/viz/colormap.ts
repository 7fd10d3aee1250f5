/** Viridis, sampled at 9 stops; colours between stops are interpolated in RGB. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** The viridis colour of `t` in [0, 1] (clamped). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i] ?? [0, 0, 0];
  const b = VIRIDIS[i + 1] ?? a;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

export const VIRIDIS_CSS = `linear-gradient(to top, ${VIRIDIS.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(", ")})`;

/** RGBA pixels of a matrix, one per cell; missing (null) cells are transparent. */
export function matrixPixels(values: (number | null)[][], min: number, max: number): Uint8ClampedArray<ArrayBuffer> {
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  const out = new Uint8ClampedArray(new ArrayBuffer(rows * cols * 4));
  const span = max > min ? max - min : 1;
  // a lookup table: 40,000 interpolations would cost more than the drawing
  const lut = Array.from({ length: 256 }, (_, i) => viridis(i / 255));
  for (let r = 0; r < rows; r++) {
    const row = values[r] ?? [];
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      const p = (r * cols + c) * 4;
      if (v === null || v === undefined) continue;
      const rgb = lut[Math.round(((v - min) / span) * 255)] ?? lut[0] ?? [0, 0, 0];
      out[p] = rgb[0];
      out[p + 1] = rgb[1];
      out[p + 2] = rgb[2];
      out[p + 3] = 255;
    }
  }
  return out;
}

/** About `count` round tick positions over [0, total), as original indices. */
export function ticks(total: number, count = 8): number[] {
  if (total <= 0) return [];
  const raw = total / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t < total; t += step) out.push(t);
  return out;
}
