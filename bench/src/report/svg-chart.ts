/** Simple, deterministic SVG line charts (same input, same bytes) for the benchmark report. */
export interface Series {
  name: string;
  color: string;
  dash?: string;
  points: Array<[x: number, y: number]>;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic y axis (latencies span decades). */
  logY?: boolean;
  /** Logarithmic x axis (sizes that grow tenfold). */
  logX?: boolean;
  /** A horizontal reference line, such as the 100 ms p99 limit. */
  threshold?: { y: number; label: string };
  /** More reference lines, drawn like `threshold`. */
  thresholds?: Array<{ y: number; label: string }>;
  width?: number;
  height?: number;
  /** Room for the legend right of the plot. @default 170 */
  legendWidth?: number;
}

const MARGIN = { top: 40, right: 170, bottom: 50, left: 70 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const fixed = (value: number) => (Math.round(value * 10) / 10).toString();

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const nice = residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1;
  return nice * magnitude;
}

export function formatTick(value: number): string {
  if (value >= 1_000_000) return `${fixed(value / 1_000_000)}M`;
  if (value >= 1_000) return `${fixed(value / 1_000)}k`;
  if (value >= 1) return fixed(value);
  return value.toPrecision(2).replace(/0+$/, '');
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 380;
  const plotWidth = width - MARGIN.left - (chart.legendWidth ?? MARGIN.right);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const points = chart.series.flatMap((series) => series.points);
  const references = [...(chart.threshold ? [chart.threshold] : []), ...(chart.thresholds ?? [])];
  const xMax = Math.max(1, ...points.map(([x]) => x));
  const ys = points.map(([, y]) => y).concat(references.map((reference) => reference.y));

  let xTicks: number[];
  let xScale: (value: number) => number;
  if (chart.logX) {
    const low = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...points.map(([x]) => x)))));
    const high = 10 ** Math.ceil(Math.log10(xMax));
    xTicks = [];
    for (let decade = low; decade <= high; decade *= 10) xTicks.push(decade);
    const span = Math.max(1, Math.log10(high) - Math.log10(low));
    xScale = (value) =>
      MARGIN.left + ((Math.log10(Math.max(value, low)) - Math.log10(low)) / span) * plotWidth;
  } else {
    const xStep = niceStep(xMax, 6);
    const xTop = Math.ceil(xMax / xStep) * xStep;
    xTicks = [];
    for (let tick = 0; tick <= xTop + xStep / 2; tick += xStep) xTicks.push(tick);
    xScale = (value) => MARGIN.left + (value / xTop) * plotWidth;
  }

  let yTicks: number[];
  let yScale: (value: number) => number;
  if (chart.logY) {
    const low =
      10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...ys.filter((y) => y > 0), 1))));
    const high = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
    yTicks = [];
    for (let decade = low; decade <= high; decade *= 10) {
      yTicks.push(decade);
      if (decade * 10 <= high) yTicks.push(decade * 2, decade * 5);
    }
    const span = Math.log10(high) - Math.log10(low);
    yScale = (value) =>
      MARGIN.top +
      plotHeight -
      ((Math.log10(Math.max(value, low)) - Math.log10(low)) / span) * plotHeight;
  } else {
    const yMax = Math.max(1, ...ys);
    const yStep = niceStep(yMax, 5);
    const yTop = Math.ceil(yMax / yStep) * yStep;
    yTicks = [];
    for (let tick = 0; tick <= yTop + yStep / 2; tick += yStep) yTicks.push(tick);
    yScale = (value) => MARGIN.top + plotHeight - (value / yTop) * plotHeight;
  }

  const lines: string[] = [];
  lines.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  );
  for (const tick of xTicks) {
    const x = fixed(xScale(tick));
    lines.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotHeight}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle" fill="#444">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of yTicks) {
    const y = fixed(yScale(tick));
    lines.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(tick)}</text>`,
    );
  }
  lines.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  for (const reference of references) {
    const y = fixed(yScale(reference.y));
    lines.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
      `<text x="${MARGIN.left + plotWidth - 4}" y="${Number(y) - 5}" text-anchor="end" fill="#c0392b">${escapeXml(reference.label)}</text>`,
    );
  }
  chart.series.forEach((series, index) => {
    const path = series.points
      .map(([x, y], point) => `${point === 0 ? 'M' : 'L'}${fixed(xScale(x))} ${fixed(yScale(y))}`)
      .join(' ');
    const dash = series.dash ? ` stroke-dasharray="${series.dash}"` : '';
    if (path) {
      lines.push(
        `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`,
      );
    }
    for (const [x, y] of series.points) {
      lines.push(
        `<circle cx="${fixed(xScale(x))}" cy="${fixed(yScale(y))}" r="3" fill="${series.color}"/>`,
      );
    }
    const legendY = MARGIN.top + 10 + index * 20;
    const legendX = MARGIN.left + plotWidth + 15;
    lines.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  lines.push('</svg>');
  return `${lines.join('\n')}\n`;
}
