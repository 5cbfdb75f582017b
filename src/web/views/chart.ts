import { html } from 'ghtml';

/**
 * Small charts drawn on the server as SVG, readable without colour: every axis is labelled, every
 * bar and point carries its value as text, and failed runs are hatched and marked "failed". The
 * table beside each chart holds the same figures for screen readers.
 */

export interface ChartRun {
  /** Short label under the bar: "3 Dec". */
  label: string;
  resultsSeen: number;
  durationMs: number | null;
  failed: boolean;
}

const WIDTH = 640;
const PANEL = 150;
const LEFT = 64;
const RIGHT = 16;
const TOP = 30;
const BOTTOM = 34;

/** Results seen and duration of each run, oldest on the left, as two panels of bars. */
export function runChart(runs: readonly ChartRun[]): string {
  if (runs.length === 0) return '';
  const height = PANEL * 2 + 24;
  const seconds = runs.map((run) => (run.durationMs === null ? 0 : run.durationMs / 1000));
  const anyFailed = runs.some((run) => run.failed);
  return html`<figure class="chart">
    <svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="run-chart-title"
      preserveAspectRatio="xMinYMin meet">
      <title id="run-chart-title">
        Results seen and duration of the last ${runs.length} runs, oldest first
      </title>
      <defs>
        <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"
          patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#ffffff"></rect>
          <line x1="0" y1="0" x2="0" y2="6" stroke="#9b1c1c" stroke-width="3"></line>
        </pattern>
      </defs>
      !${panel(
        runs,
        runs.map((run) => run.resultsSeen),
        0,
        'Results seen',
        (v) => String(v),
      )}
      !${panel(runs, seconds, PANEL + 24, 'Duration (seconds)', (v) => formatSeconds(v))}
    </svg>
    <figcaption class="muted">
      Top: results each run read. Bottom: how long each run took.
      ${anyFailed ? 'Hatched bars marked “failed” are runs that failed.' : ''}
    </figcaption>
  </figure>`;
}

function panel(
  runs: readonly ChartRun[],
  values: readonly number[],
  offset: number,
  title: string,
  format: (value: number) => string,
): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = PANEL - TOP - BOTTOM;
  const max = niceMax(Math.max(...values, 1));
  const slot = plotWidth / runs.length;
  const barWidth = Math.min(36, slot * 0.6);
  const base = offset + TOP + plotHeight;
  const every = Math.ceil(runs.length / 10);

  const bars = runs.map((run, index) => {
    const value = values[index] ?? 0;
    const barHeight = (value / max) * plotHeight;
    const x = LEFT + slot * index + (slot - barWidth) / 2;
    const centre = x + barWidth / 2;
    const label = index % every === 0 ? run.label : '';
    return html`<g>
      <rect x="${x.toFixed(1)}" y="${(base - barHeight).toFixed(1)}" width="${barWidth.toFixed(1)}"
        height="${Math.max(barHeight, 1).toFixed(1)}"
        fill="${run.failed ? 'url(#hatch)' : '#1d4f91'}"
        stroke="${run.failed ? '#9b1c1c' : '#1d4f91'}">
        <title>${run.label}: ${format(value)}${run.failed ? ' (failed)' : ''}</title>
      </rect>
      <text x="${centre.toFixed(1)}" y="${(base - barHeight - 4).toFixed(1)}" class="chart-value"
        text-anchor="middle">${run.failed ? 'failed' : format(value)}</text>
      <text x="${centre.toFixed(1)}" y="${base + 16}" class="chart-label"
        text-anchor="middle">${label}</text>
    </g>`;
  });

  return html`<g>
    <text x="0" y="${offset + 14}" class="chart-title">${title}</text>
    <line x1="${LEFT}" y1="${offset + TOP}" x2="${LEFT}" y2="${base}" stroke="#525a63"></line>
    <line x1="${LEFT}" y1="${base}" x2="${WIDTH - RIGHT}" y2="${base}" stroke="#525a63"></line>
    <text x="${LEFT - 6}" y="${offset + TOP + 4}" class="chart-label" text-anchor="end">
      ${format(max)}
    </text>
    <text x="${LEFT - 6}" y="${base + 4}" class="chart-label" text-anchor="end">0</text>
    <text x="${LEFT + plotWidth / 2}" y="${base + 30}" class="chart-label" text-anchor="middle">
      Run start date
    </text>
    !${bars}
  </g>`;
}

/** 1, 2 or 5 times a power of ten, at or above the value: an axis a person reads easily. */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function formatSeconds(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

export interface LinePoint {
  label: string;
  /** Position on the scale (NX1 is 1), or null for a collection with no point. */
  position: number | null;
  code: string | null;
}

/** A pupil's points in one subject across collections; progress may go down (3.2.3, 4.1). */
export function pointsLine(subject: string, points: readonly LinePoint[], top: number): string {
  if (points.length === 0) return '';
  const width = 360;
  const height = 160;
  const left = 48;
  const right = 16;
  const upper = 16;
  const lower = 36;
  const plotHeight = height - upper - lower;
  const slot = (width - left - right) / Math.max(points.length, 1);
  const y = (position: number) => upper + plotHeight - ((position - 1) / (top - 1)) * plotHeight;
  const x = (index: number) => left + slot * index + slot / 2;
  const placed = points
    .map((point, index) => ({ ...point, index }))
    .filter((point) => point.position !== null);
  const path = placed
    .map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.index).toFixed(1)},${y(point.position!)}`)
    .join(' ');

  return html`<svg viewBox="0 0 ${width} ${height}" role="img" class="line-chart"
    aria-label="${subject}: ${placed.map((p) => `${p.label} ${p.code}`).join(', ') || 'no points'}">
    <line x1="${left}" y1="${upper}" x2="${left}" y2="${upper + plotHeight}" stroke="#525a63">
    </line>
    <line x1="${left}" y1="${upper + plotHeight}" x2="${width - right}" y2="${upper + plotHeight}"
      stroke="#525a63"></line>
    <text x="${left - 6}" y="${y(top) + 4}" class="chart-label" text-anchor="end">NX${top}</text>
    <text x="${left - 6}" y="${y(1) + 4}" class="chart-label" text-anchor="end">NX1</text>
    <path d="${path}" fill="none" stroke="#1d4f91" stroke-width="2"></path>
    !${placed.map(
      (point) => html`<circle cx="${x(point.index).toFixed(1)}" cy="${y(point.position!)}" r="4"
          fill="#1d4f91"></circle>
        <text x="${x(point.index).toFixed(1)}" y="${y(point.position!) - 8}" class="chart-value"
          text-anchor="middle">${point.code}</text>`,
    )}
    !${points.map(
      (point, index) => html`<text x="${x(index).toFixed(1)}" y="${height - 14}"
        class="chart-label" text-anchor="middle">${point.label}</text>`,
    )}
  </svg>`;
}
