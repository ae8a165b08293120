/**
 * The dashboard's plots, drawn on the server as small SVG documents (no
 * chart library, no script: the console shows them as images, and the table
 * of the same numbers sits one click away under each).
 */
import type { InsightStats } from '../domain/insight';

export interface Series {
  name: string;
  color: string;
  values: number[];
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const W = 640;
const H = 260;
const PAD = { left: 44, right: 12, top: 28, bottom: 48 };

/** A "nice" top for the axis: 1, 2 or 5 times a power of ten, at least the largest value. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p) as number;
}

/** Vertical bars, stacked when there are several series, with a legend. */
export function barChart(
  title: string,
  labels: string[],
  series: Series[],
  format: (v: number) => string = String,
): string {
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const top = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  for (const v of [0, top / 2, top]) {
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#dde"/>`,
      `<text x="${PAD.left - 4}" y="${y(v) + 4}" text-anchor="end" fill="#555">${esc(format(v))}</text>`,
    );
  }
  const every = Math.ceil(labels.length / 16);
  labels.forEach((label, i) => {
    const x = PAD.left + slot * i + (slot - barW) / 2;
    let base = 0;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v > 0) {
        const h = y(base) - y(base + v);
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(`${label} · ${s.name}: ${format(v)}`)}</title></rect>`,
        );
      }
      base += v;
    }
    if (i % every === 0)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle" fill="#333">${esc(label)}</text>`,
      );
  });
  let lx = PAD.left;
  if (series.length > 1)
    for (const s of series) {
      parts.push(
        `<rect x="${lx}" y="${H - 18}" width="10" height="10" fill="${s.color}"/>`,
        `<text x="${lx + 14}" y="${H - 9}" fill="#333">${esc(s.name)}</text>`,
      );
      lx += 20 + s.name.length * 6.5;
    }
  parts.push(`<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`, '</svg>');
  return parts.join('');
}

/** The outcome series, in the dashboard's words and colours. */
export const OUTCOME_SERIES = [
  { key: 'answered', name: 'Trả lời được', color: '#2e7d32' },
  { key: 'clarified', name: 'Hỏi lại', color: '#f9a825' },
  { key: 'notFound', name: 'Không tìm thấy', color: '#c62828' },
  { key: 'declined', name: 'Từ chối', color: '#6a1b9a' },
  { key: 'handedOff', name: 'Chuyển tổng đài', color: '#1565c0' },
  { key: 'emergencies', name: 'Khẩn cấp', color: '#000' },
  { key: 'other', name: 'Khác', color: '#9e9e9e' },
] as const;

const percent = (v: number): string => `${Math.round(v * 100)}%`;

/** Every plot of the dashboard, by name. */
export function insightCharts(s: InsightStats): Record<'days' | 'outcomes' | 'hours' | 'csat', string> {
  const shortDay = (d: string): string => `${d.slice(8, 10)}/${d.slice(5, 7)}`;
  const shares = OUTCOME_SERIES.filter((o) => o.key in s.shares);
  return {
    days: barChart(
      'Tin nhắn theo ngày và kết quả',
      s.days.map((d) => shortDay(d.day)),
      OUTCOME_SERIES.map((o) => ({ name: o.name, color: o.color, values: s.days.map((d) => d[o.key]) })),
    ),
    outcomes: barChart(
      'Tỉ lệ theo kết quả (trên số câu hỏi)',
      shares.map((o) => o.name),
      [
        {
          name: 'Tỉ lệ',
          color: '#1565c0',
          values: shares.map((o) => s.shares[o.key as keyof InsightStats['shares']]),
        },
      ],
      percent,
    ),
    hours: barChart(
      'Tin nhắn theo giờ trong ngày',
      s.hours.map((_, h) => `${h}h`),
      [{ name: 'Tin nhắn', color: '#00838f', values: s.hours }],
    ),
    csat: barChart(
      'Đánh giá tổng đài (1–5 sao)',
      ['1', '2', '3', '4', '5'],
      [{ name: 'Lượt đánh giá', color: '#ef6c00', values: s.csat.counts }],
    ),
  };
}
