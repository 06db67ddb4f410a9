// A uPlot chart in a figure with a caption; the same figures are in a table below it for screen readers and for
// anyone who wants the numbers.
import 'uplot/dist/uPlot.min.css';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { chartDateFormat } from '../../lib/format';

export interface ChartProps {
  caption: string;
  /** x values (unix seconds for time axes, or indexes for categories) followed by one array per series. */
  data: uPlot.AlignedData;
  /** align: where a bar stands beside its x value (-1 left, 1 right), so two bar series sit side by side. */
  series: { label: string; stroke: string; fill?: string; align?: -1 | 0 | 1 }[];
  bars?: boolean;
  /** Category labels for the x axis when it is not time. */
  categories?: string[];
  /** Formats x values (time axes) in the event's zone. */
  timeZone?: string;
  /** The x axis' extent (defaults to the data's; categories get half a slot either side). */
  xRange?: [number, number];
  height?: number;
  table: ComponentChildren;
}

export function Chart({
  caption,
  data,
  series,
  bars,
  categories,
  timeZone,
  xRange,
  height = 240,
  table,
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height,
      ...(timeZone ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), timeZone) } : {}),
      fmtDate: (template) => chartDateFormat(template),
      scales: {
        x: {
          time: !categories,
          ...(xRange || categories
            ? { range: (): uPlot.Range.MinMax => xRange ?? [-0.5, (categories?.length ?? 1) - 0.5] }
            : {}),
        },
        y: { range: (_u, _min, max): uPlot.Range.MinMax => [0, Math.max(1, max) * 1.1] },
      },
      axes: [categories ? { values: (_u, ticks) => ticks.map((tick) => categories[tick] ?? '') } : {}, {}],
      series: [
        {},
        ...series.map((item) => ({
          label: item.label,
          stroke: item.stroke,
          fill: item.fill,
          width: 2,
          ...(bars
            ? {
                paths: uPlot.paths.bars?.({
                  size: [series.length > 1 ? 0.35 : 0.6, 64],
                  align: item.align ?? 0,
                }),
                points: { show: false },
              }
            : { points: { show: true, size: 7 } }),
        })),
      ],
    };
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, series, bars, categories, timeZone, xRange, height]);
  return (
    <figure class="chart card">
      <figcaption>{caption}</figcaption>
      <div ref={box} class="chart-box" aria-hidden="true" />
      <details>
        <summary>Figures</summary>
        {table}
      </details>
    </figure>
  );
}
