import { useEffect, useMemo, useState } from "react";
import { api } from "../../api/client.js";
import type { UsageRow } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { addAmounts, costPerDay, totalsByUserAndModel, type DayTotal } from "./usage.js";
import styles from "./admin.module.css";

/** Usage and cost per user and per model over time: a chart of cost per day and a table of totals. */
export function UsageSection() {
  const [days, setDays] = useState(30);
  const [data, setData] = useState<{ since: string; rows: UsageRow[] } | null>(null);
  useEffect(() => {
    api.admin.usage(days).then(setData, () => setData({ since: new Date().toISOString(), rows: [] }));
  }, [days]);
  const perDay = useMemo(() => (data ? costPerDay(data.rows, new Date(data.since), new Date()) : []), [data]);
  const totals = useMemo(() => (data ? totalsByUserAndModel(data.rows) : []), [data]);
  const total = useMemo(() => addAmounts(totals.map((r) => r.cost)), [totals]);
  return (
    <section id="usage" aria-labelledby="usage-title" className={styles.section}>
      <div className={styles.sectionHead}>
        <h2 id="usage-title">{t.usage}</h2>
        <label className={styles.inline}>
          {t.period}{" "}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90, 365].map((n) => (
              <option key={n} value={n}>
                {t.lastDays(n)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {data && data.rows.length === 0 ? <p>{t.noUsage}</p> : null}
      {perDay.length ? <CostChart days={perDay} label={t.usageChart(total, days)} /> : null}
      {totals.length ? (
        <>
          <h3>{t.byUserAndModel}</h3>
          <div className={styles.tableWrap}>
            <table aria-label={t.byUserAndModel} className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">{t.user}</th>
                  <th scope="col">{t.model}</th>
                  <th scope="col" className={styles.num}>{t.calls}</th>
                  <th scope="col" className={styles.num}>{t.inputTokens}</th>
                  <th scope="col" className={styles.num}>{t.outputTokens}</th>
                  <th scope="col" className={styles.num}>{t.cost}</th>
                </tr>
              </thead>
              <tbody>
                {totals.map((r) => (
                  <tr key={`${r.email}/${r.modelId}`}>
                    <td>{r.email}</td>
                    <td>{r.modelId}</td>
                    <td className={styles.num}>{r.calls.toLocaleString()}</td>
                    <td className={styles.num}>{r.inputTokens.toLocaleString()}</td>
                    <td className={styles.num}>{r.outputTokens.toLocaleString()}</td>
                    <td className={styles.num}>${r.cost}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

/** Bars of cost per day (SVG); each bar has a title with the exact amount, and the figure a text summary. */
function CostChart(props: { days: DayTotal[]; label: string }) {
  const width = 720;
  const height = 180;
  const max = Math.max(...props.days.map((d) => d.cost), 0);
  const barWidth = width / props.days.length;
  return (
    <figure className={styles.chart}>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={props.label} preserveAspectRatio="none">
        {props.days.map((d, i) => {
          const h = max > 0 ? (d.cost / max) * height : 0;
          return (
            <rect key={d.day} x={i * barWidth + 1} y={height - h} width={Math.max(barWidth - 2, 1)} height={h} className={styles.bar}>
              <title>{`${d.day}: $${d.exact}`}</title>
            </rect>
          );
        })}
        <line x1="0" x2={width} y1={height} y2={height} className={styles.axis} />
        <text x="0" y={height + 15} className={styles.tick}>
          {props.days[0]?.day}
        </text>
        <text x={width} y={height + 15} textAnchor="end" className={styles.tick}>
          {props.days.at(-1)?.day}
        </text>
      </svg>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
