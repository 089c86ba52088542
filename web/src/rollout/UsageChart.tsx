/** Per-day legacy usage, last 30 UTC days, as an SVG bar chart with a text table for screen readers. */
import { usageSeries, type DayUsage } from './usage-series.ts';

const WIDTH = 720;
const HEIGHT = 180;
const PAD_BOTTOM = 28;
const PAD_LEFT = 36;

export function UsageChart({ days, lastDay }: { days: DayUsage[]; lastDay: string }) {
  const bars = usageSeries(days, lastDay);
  const max = Math.max(1, ...bars.map((b) => b.total));
  const slot = (WIDTH - PAD_LEFT) / bars.length;
  const plot = HEIGHT - PAD_BOTTOM - 8;
  return (
    <figure className="graph-figure">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="usage-chart" role="img" aria-labelledby="usage-chart-title">
        <title id="usage-chart-title">Legacy tenant usage per UTC day, {bars[0]?.day} to {lastDay}</title>
        <text x={PAD_LEFT - 6} y={12} textAnchor="end" className="usage-axis">
          {max}
        </text>
        <text x={PAD_LEFT - 6} y={HEIGHT - PAD_BOTTOM} textAnchor="end" className="usage-axis">
          0
        </text>
        {bars.map((bar, i) => {
          const height = bar.kind === 'use' ? Math.max(3, (bar.total / max) * plot) : bar.kind === 'zero' ? 3 : plot * 0.15;
          const x = PAD_LEFT + i * slot + 2;
          return (
            <g key={bar.day}>
              <rect x={x} y={HEIGHT - PAD_BOTTOM - height} width={Math.max(2, slot - 4)} height={height} className={`usage-bar ${bar.kind}`}>
                <title>
                  {bar.day}: {bar.kind === 'nodata' ? 'no data' : `${bar.total} legacy uses`}
                </title>
              </rect>
              {i % 5 === 0 && (
                <text x={x} y={HEIGHT - 10} className="usage-axis">
                  {bar.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="l-use">legacy use</span>
        <span className="l-zero">zero (with data)</span>
        <span className="l-nodata">no data (no heartbeat)</span>
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Legacy uses</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.day}>
                <td>{bar.day}</td>
                <td>{bar.kind === 'nodata' ? 'no data' : bar.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
