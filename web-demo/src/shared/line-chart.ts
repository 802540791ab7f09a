// A small time-series line chart on a canvas: one line per series over a sliding time window, the
// y axis from zero to the largest value shown. Enough for lag and throughput, without a library.

export interface ChartSeries {
  name: string;
  color: string;
  points: ReadonlyArray<{ at: number; value: number }>;
}

export interface ChartOptions {
  /** The span of time shown, ending at `now`. */
  windowMs: number;
  now: number;
  /** Unit written after the top value, e.g. "records". */
  unit: string;
}

const AXIS = "#8a93a5";
const GRID = "#e3e6ec";

/** Sizes the canvas to its box in device pixels, so lines stay sharp on any screen. */
function fitToBox(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** A round number at or above `value`, for the y axis (1, 2, 5, 10, 20, 50 …). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

export function drawLineChart(canvas: HTMLCanvasElement, series: readonly ChartSeries[], options: ChartOptions): void {
  const ctx = fitToBox(canvas);
  if (!ctx) return;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const left = 48;
  const top = 8;
  const bottom = height - 18;
  const right = width - 8;
  ctx.clearRect(0, 0, width, height);
  const from = options.now - options.windowMs;
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => p.at >= from) }));
  const max = niceCeiling(Math.max(0, ...shown.flatMap((s) => s.points.map((p) => p.value))));
  const x = (at: number) => left + ((at - from) / options.windowMs) * (right - left);
  const y = (value: number) => bottom - (value / max) * (bottom - top);

  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = AXIS;
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    ctx.beginPath();
    ctx.moveTo(left, y(value));
    ctx.lineTo(right, y(value));
    ctx.stroke();
    ctx.fillText(fraction === 1 ? `${value} ${options.unit}` : String(value), 2, y(value) + 4);
  }
  ctx.fillText(`-${Math.round(options.windowMs / 1000)} s`, left, height - 4);
  ctx.fillText("now", right - 20, height - 4);

  ctx.lineWidth = 2;
  for (const s of shown) {
    if (s.points.length === 0) continue;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    s.points.forEach((p, i) => {
      if (i === 0) ctx.moveTo(x(p.at), y(p.value));
      else ctx.lineTo(x(p.at), y(p.value));
    });
    ctx.stroke();
    const last = s.points[s.points.length - 1];
    if (last) {
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(x(last.at), y(last.value), 3, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

/** Distinct colours for series, by position. */
export const PALETTE = ["#3b82f6", "#e4572e", "#17a398", "#f4a259", "#8e6cc4", "#d1495b", "#4d9de0", "#6a994e"];
