import { html } from 'ghtml';

/**
 * The reports' charts, drawn on the server as SVG and readable in print and without colour:
 * every bar carries its value in words beside it, a group is a solid bar and the other pupils a
 * hatched one (the legend says so), and the table under each chart holds the same figures.
 */

const WIDTH = 720;
const LABEL = 150;
const NOTE = 190;
const ROW = 26;
const BAR = 16;
const TOP = 28;
const INK = '#1b1f24';
const BRAND = '#1d4f91';
const MUTED = '#4f5761';

export interface ShareRow {
  label: string;
  /** 0 to 100, or null for a row with no pupils. */
  percent: number | null;
  /** "4 of 7 at or above NX9". */
  note: string;
}

/** Horizontal bars of shares, 0 to 100%, one per row: year groups or collections. */
export function shareBars(id: string, title: string, rows: readonly ShareRow[]): string {
  if (rows.length === 0) return '';
  const plot = WIDTH - LABEL - NOTE - 60;
  const height = TOP + rows.length * ROW + 24;
  const x = (percent: number) => LABEL + (percent / 100) * plot;
  const bars = rows.map((row, index) => {
    const y = TOP + index * ROW;
    const value = row.percent === null ? 'no pupils' : `${Math.round(row.percent)}%`;
    const width = row.percent === null ? 0 : Math.max((row.percent / 100) * plot, 1);
    return html`<g>
      <text x="${LABEL - 8}" y="${y + 12}" class="chart-label" text-anchor="end">${row.label}</text>
      <rect x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${BRAND}">
        <title>${row.label}: ${value}, ${row.note}</title>
      </rect>
      <text x="${(LABEL + width + 6).toFixed(1)}" y="${y + 12}" class="chart-value">${value}</text>
      <text x="${WIDTH - NOTE + 4}" y="${y + 12}" class="chart-label">${row.note}</text>
    </g>`;
  });
  return figure(id, title, WIDTH, height, html`!${axis(x, TOP, TOP + rows.length * ROW)} !${bars}`);
}

export interface GapRow {
  label: string;
  group: { percent: number | null; note: string } | { suppressed: string };
  other: { percent: number | null; note: string } | { suppressed: string };
  gap: string;
}

/** Each group beside the other pupils: a solid bar and a hatched bar, and the gap in words. */
export function gapBars(id: string, title: string, rows: readonly GapRow[]): string {
  if (rows.length === 0) return '';
  const plot = WIDTH - LABEL - NOTE - 60;
  const block = ROW * 2 + 24;
  const height = TOP + rows.length * block + 40;
  const x = (percent: number) => LABEL + (percent / 100) * plot;
  const blocks = rows.map((row, index) => {
    const y = TOP + index * block;
    return html`<g>
      <text x="0" y="${y + 12}" class="chart-title">${row.label}</text>
      <text x="${WIDTH}" y="${y + 12}" class="chart-value" text-anchor="end">${row.gap}</text>
      !${side(id, 'group', row.group, y + 18, plot)}
      !${side(id, 'other', row.other, y + 18 + ROW, plot)}
    </g>`;
  });
  const legendY = TOP + rows.length * block + 12;
  const legend = html`<g>
    <rect x="${LABEL}" y="${legendY}" width="14" height="10" fill="${BRAND}"></rect>
    <text x="${LABEL + 20}" y="${legendY + 9}" class="chart-label">the group (solid)</text>
    <rect x="${LABEL + 150}" y="${legendY}" width="14" height="10" fill="url(#${id}-hatch)"
      stroke="${INK}"></rect>
    <text x="${LABEL + 170}" y="${legendY + 9}" class="chart-label">other pupils (hatched)</text>
  </g>`;
  return figure(
    id,
    title,
    WIDTH,
    height,
    html`!${hatch(id)} !${axis(x, TOP + 18, TOP + rows.length * block - 6)} !${blocks} !${legend}`,
  );
}

function side(
  id: string,
  which: 'group' | 'other',
  figureSide: GapRow['group'],
  y: number,
  plot: number,
): string {
  const label = which === 'group' ? 'Group' : 'Other pupils';
  if ('suppressed' in figureSide) {
    return html`<text x="${LABEL - 8}" y="${y + 12}" class="chart-label" text-anchor="end"
        >${label}</text>
      <text x="${LABEL}" y="${y + 12}" class="chart-label chart-suppressed"
        >${figureSide.suppressed}</text>`;
  }
  const width = figureSide.percent === null ? 0 : Math.max((figureSide.percent / 100) * plot, 1);
  const value = figureSide.percent === null ? 'no pupils' : `${Math.round(figureSide.percent)}%`;
  const fill = which === 'group' ? BRAND : `url(#${id}-hatch)`;
  return html`<text x="${LABEL - 8}" y="${y + 12}" class="chart-label" text-anchor="end"
      >${label}</text>
    <rect x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${fill}"
      stroke="${which === 'group' ? BRAND : INK}">
      <title>${label}: ${value}, ${figureSide.note}</title>
    </rect>
    <text x="${(LABEL + width + 6).toFixed(1)}" y="${y + 12}" class="chart-value">${value}</text>
    <text x="${WIDTH - NOTE + 4}" y="${y + 12}" class="chart-label">${figureSide.note}</text>`;
}

export interface MovementRow {
  label: string;
  up: number;
  same: number;
  down: number;
  none: number;
}

const SEGMENTS = [
  { key: 'up', word: 'Up', fill: BRAND, stroke: BRAND, text: '#ffffff' },
  { key: 'same', word: 'Same', fill: '#ffffff', stroke: INK, text: INK },
  { key: 'down', word: 'Down', fill: 'hatch', stroke: INK, text: INK },
  { key: 'none', word: 'No earlier point', fill: 'dots', stroke: MUTED, text: INK },
] as const;

/** Each subject's pupils split into up, same, down and no earlier point, as one bar. */
export function movementBars(id: string, title: string, rows: readonly MovementRow[]): string {
  if (rows.length === 0) return '';
  const plot = WIDTH - LABEL - 20;
  const block = ROW + 22;
  const height = TOP + rows.length * block + 30;
  const bars = rows.map((row, index) => {
    const y = TOP + index * block;
    const total = row.up + row.same + row.down + row.none;
    let left = LABEL;
    const parts = SEGMENTS.map((segment) => {
      const value = row[segment.key];
      const width = total === 0 ? 0 : (value / total) * plot;
      const start = left;
      left += width;
      if (value === 0) return '';
      return html`<rect x="${start.toFixed(1)}" y="${y}" width="${width.toFixed(1)}"
        height="${BAR + 4}" fill="${fillOf(id, segment.fill)}" stroke="${segment.stroke}">
        <title>${row.label}: ${segment.word} ${value}</title>
      </rect>`;
    });
    const words = SEGMENTS.map((segment) => `${segment.word} ${row[segment.key]}`).join(' · ');
    return html`<g>
      <text x="${LABEL - 8}" y="${y + 14}" class="chart-label" text-anchor="end">${row.label}</text>
      !${parts}
      <text x="${LABEL}" y="${y + BAR + 18}" class="chart-value">${words}</text>
    </g>`;
  });
  const legendY = TOP + rows.length * block + 8;
  const legend = SEGMENTS.map(
    (segment, index) => html`<rect x="${LABEL + index * 140}" y="${legendY}" width="14"
        height="10" fill="${fillOf(id, segment.fill)}" stroke="${segment.stroke}"></rect>
      <text x="${LABEL + index * 140 + 20}" y="${legendY + 9}" class="chart-label"
        >${segment.word}</text>`,
  );
  return figure(id, title, WIDTH, height, html`!${hatch(id)} !${dots(id)} !${bars} !${legend}`);
}

function fillOf(id: string, fill: string): string {
  if (fill === 'hatch') return `url(#${id}-hatch)`;
  if (fill === 'dots') return `url(#${id}-dots)`;
  return fill;
}

function figure(id: string, title: string, width: number, height: number, body: string) {
  return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title"
    class="report-chart" preserveAspectRatio="xMinYMin meet">
    <title id="${id}-title">${title}</title>
    <text x="0" y="14" class="chart-title">${title}</text>
    !${body}
  </svg>`;
}

function axis(x: (percent: number) => number, top: number, bottom: number): string {
  return [0, 50, 100]
    .map(
      (percent) => html`<line x1="${x(percent)}" y1="${top - 4}" x2="${x(percent)}"
        y2="${bottom}" stroke="#aab2bb" stroke-dasharray="${percent === 0 ? '' : '3 3'}"></line>
      <text x="${x(percent)}" y="${bottom + 14}" class="chart-label" text-anchor="middle"
        >${percent}%</text>`,
    )
    .join('');
}

function hatch(id: string): string {
  return html`<defs>
    <pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
      patternTransform="rotate(45)">
      <rect width="6" height="6" fill="#ffffff"></rect>
      <line x1="0" y1="0" x2="0" y2="6" stroke="${INK}" stroke-width="2"></line>
    </pattern>
  </defs>`;
}

function dots(id: string): string {
  return html`<defs>
    <pattern id="${id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">
      <rect width="6" height="6" fill="#ffffff"></rect>
      <circle cx="3" cy="3" r="1.2" fill="${MUTED}"></circle>
    </pattern>
  </defs>`;
}
