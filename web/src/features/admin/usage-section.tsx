import { useEffect, useMemo, useState } from "react";
import { api } from "../../api/client.js";
import type { ToolCallsReport, UsageReport } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import { addAmounts, costPerDay, formatMs, subtractAmounts, totalsByUserAndModel, type DayTotal, type SeriesKey } from "./usage.js";
import styles from "./admin.module.css";

/** Usage and cost per user and per model over time: a chart of cost per day and a table of totals. */
export function UsageSection() {
  const [days, setDays] = useState(30);
  const [by, setBy] = useState<SeriesKey>("user");
  const [data, setData] = useState<UsageReport | null>(null);
  useEffect(() => {
    api.admin.usage(days).then(setData, () => setData({ since: new Date().toISOString(), rows: [], toolCalls: { byUser: [], byTool: [] }, missingCachePrices: [] }));
  }, [days]);
  const perDay = useMemo(() => (data ? costPerDay(data.rows, new Date(data.since), new Date(), by) : { days: [], series: [] }), [data, by]);
  const totals = useMemo(() => (data ? totalsByUserAndModel(data.rows) : []), [data]);
  const total = useMemo(() => addAmounts(totals.map((r) => r.cost)), [totals]);
  const uncached = useMemo(() => addAmounts(totals.map((r) => r.uncachedCost)), [totals]);
  const cached = totals.some((r) => r.cacheReadTokens || r.cacheWriteTokens);
  return (
    <section id="usage" aria-labelledby="usage-title" className={styles.section}>
      <div className={styles.sectionHead}>
        <h2 id="usage-title">{t.usage}</h2>
        <div className={styles.controls}>
          <label className={styles.inline}>
            {t.chartBy}{" "}
            <select value={by} onChange={(e) => setBy(e.target.value as SeriesKey)}>
              <option value="user">{t.user}</option>
              <option value="model">{t.model}</option>
            </select>
          </label>
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
      </div>
      {data && data.rows.length === 0 ? <p>{t.noUsage}</p> : null}
      {data && data.rows.length ? <CostChart days={perDay.days} series={perDay.series} label={t.usageChart(total, days)} /> : null}
      {totals.length ? (
        <>
          <h3>{t.byUserAndModel}</h3>
          <p className={styles.note}>{t.cachingNote}</p>
          {cached ? <p className={styles.note}>{t.usageSavedByCache(subtractAmounts(uncached, total), uncached)}</p> : null}
          <div className={styles.tableWrap}>
            <table aria-label={t.byUserAndModel} className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">{t.user}</th>
                  <th scope="col">{t.model}</th>
                  <th scope="col" className={styles.num}>{t.calls}</th>
                  <th scope="col" className={styles.num}>{t.inputTokens}</th>
                  <th scope="col" className={styles.num}>{t.outputTokens}</th>
                  <th scope="col" className={styles.num}>{t.cacheReadTokens}</th>
                  <th scope="col" className={styles.num}>{t.cacheWriteTokens}</th>
                  <th scope="col" className={styles.num}>{t.cost}</th>
                  <th scope="col" className={styles.num}>{t.costWithoutCache}</th>
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
                    <td className={styles.num}>{r.cacheReadTokens.toLocaleString()}</td>
                    <td className={styles.num}>{r.cacheWriteTokens.toLocaleString()}</td>
                    <td className={styles.num}>${r.cost}</td>
                    <td className={styles.num}>${r.uncachedCost}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {data?.missingCachePrices.length ? (
        <div className={styles.note} role="note">
          <p>{t.missingCachePrices}</p>
          <ul>
            {data.missingCachePrices.map((m) => (
              <li key={m.profile}>{t.missingCachePrice(m.profile, m.modelId, m.missing)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {data && (data.toolCalls.byUser.length || data.toolCalls.byTool.length) ? <ToolCallTables report={data.toolCalls} /> : null}
    </section>
  );
}

/** The period's MCP tool calls: per user (calls, errors, total time) and per server and tool (calls, errors, median and mean time). */
function ToolCallTables({ report }: { report: ToolCallsReport }) {
  return (
    <>
      <h3>{t.toolCalls}</h3>
      <p className={styles.note}>{t.toolCallsNote}</p>
      <div className={styles.tableWrap}>
        <table aria-label={t.toolCallsByUser} className={styles.table}>
          <caption className={styles.caption}>{t.toolCallsByUser}</caption>
          <thead>
            <tr>
              <th scope="col">{t.user}</th>
              <th scope="col" className={styles.num}>{t.calls}</th>
              <th scope="col" className={styles.num}>{t.errors}</th>
              <th scope="col" className={styles.num}>{t.totalTime}</th>
            </tr>
          </thead>
          <tbody>
            {report.byUser.map((r) => (
              <tr key={r.userId}>
                <td>{r.email ?? r.userId}</td>
                <td className={styles.num}>{r.calls.toLocaleString()}</td>
                <td className={styles.num}>{r.errors.toLocaleString()}</td>
                <td className={styles.num}>{formatMs(r.totalMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={styles.tableWrap}>
        <table aria-label={t.toolCallsByTool} className={styles.table}>
          <caption className={styles.caption}>{t.toolCallsByTool}</caption>
          <thead>
            <tr>
              <th scope="col">{t.server}</th>
              <th scope="col">{t.tool}</th>
              <th scope="col" className={styles.num}>{t.calls}</th>
              <th scope="col" className={styles.num}>{t.errors}</th>
              <th scope="col" className={styles.num}>{t.medianTime}</th>
              <th scope="col" className={styles.num}>{t.averageTime}</th>
            </tr>
          </thead>
          <tbody>
            {report.byTool.map((r) => (
              <tr key={`${r.server ?? ""}/${r.tool}`}>
                <td>{r.server ?? t.toolNotOffered}</td>
                <td className={styles.toolName}>{r.tool}</td>
                <td className={styles.num}>{r.calls.toLocaleString()}</td>
                <td className={styles.num}>{r.errors.toLocaleString()}</td>
                <td className={styles.num}>{formatMs(r.p50Ms)}</td>
                <td className={styles.num}>{formatMs(r.avgMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Stacked bars of cost per day (SVG) with a legend; each bar has a title with the exact amount, the figure a summary. */
function CostChart(props: { days: DayTotal[]; series: string[]; label: string }) {
  const width = 720;
  const height = 180;
  const max = Math.max(...props.days.map((d) => d.cost), 0);
  const barWidth = width / props.days.length;
  return (
    <figure className={styles.chart}>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={props.label} preserveAspectRatio="none">
        {props.days.map((d, i) => {
          let y = height;
          return (
            <g key={d.day}>
              <title>{`${d.day}: $${d.exact}`}</title>
              {d.parts.map((part, s) => {
                const h = max > 0 ? (part / max) * height : 0;
                y -= h;
                return h > 0 ? <rect key={s} x={i * barWidth + 1} y={y} width={Math.max(barWidth - 2, 1)} height={h} style={{ fill: `var(--series-${s})` }} /> : null;
              })}
            </g>
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
      <figcaption>
        {props.label}
        <ul className={styles.legend}>
          {props.series.map((name, s) => (
            <li key={name}>
              <span className={styles.swatch} style={{ background: `var(--series-${s})` }} aria-hidden="true" />
              {name === "others" ? t.others : name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
