// The reports' front page: the last 30 days at a glance (totals and the sources that
// rang), and every report the API has, to open.
import { useMemo } from "preact/hooks";
import { query } from "../../api";
import { useSession } from "../../session";
import { dayInput } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Empty, Page } from "../../ui/states";
import { ReportLoaded } from "./ReportView";
import { BarChart, type BarData } from "./BarChart";
import { cellText, columnLabel, partsText, reportAbout, reportTitle, type CellContext } from "./cells";
import { bars, chartBars } from "./compare";
import { dimensionsOf, type ReportAnswer, type ReportInfo } from "./model";
import { presetRange } from "./range";

const TOTALS = ["calls", "answered", "missed", "first_time_callers", "leads", "sales"];

function Glance({ calls }: { calls: ReportAnswer }) {
  const { t, language } = useSession();
  const dimensions = dimensionsOf(calls.report, calls.columns, calls.rows);
  const ctx: CellContext = { t, language, dimensions, names: {} };
  const totals = TOTALS.filter((c) => calls.columns.includes(c))
    .map((c) => [c, calls.rows.reduce((sum, r) => sum + (typeof r[c] === "number" ? (r[c] as number) : 0), 0)] as const);
  const chart = useMemo((): BarData => {
    const shown = chartBars(bars(calls.rows, ["source"], ["calls"], dimensions), null, "calls", 6);
    const title = t("repGlanceChart");
    return {
      title, measure: columnLabel("calls", t), group: columnLabel("source", t), description: t("repChartLabel", { measure: columnLabel("calls", t), group: columnLabel("source", t).toLowerCase(), range: t("repGlance").toLowerCase() }),
      labels: shown.map((b) => partsText(["source"], b.parts, ctx)), now: shown.map((b) => b.now), before: null,
      format: (value, signed) => cellText("calls", value, {}, ctx, signed),
      whole: true,
    };
  }, [calls, language]);
  if (calls.rows.length === 0) return <Empty><p><strong>{t("repEmpty")}</strong></p><p>{t("repEmptyHint")}</p></Empty>;
  return (
    <div class="rep-glance">
      <dl class="rep-totals">
        {totals.map(([column, value]) => (
          <div key={column} data-total={column}><dt>{columnLabel(column, t)}</dt><dd>{cellText(column, value, {}, ctx)}</dd></div>
        ))}
      </dl>
      <div class="card"><BarChart id="rep-glance-chart" data={chart} /></div>
    </div>
  );
}

export function Overview({ reports }: { reports: ReportInfo[] }) {
  const { t } = useSession();
  const month = presetRange("30", dayInput(Date.now()));
  const hasCalls = reports.some((r) => r.name === "calls_by_source");
  const glance = useResource(
    (api) => (hasCalls ? api.get<ReportAnswer>(`/v1/reports/calls_by_source${query({ ...month })}`) : Promise.resolve(null)),
    [month.from, hasCalls],
  );
  return (
    <Page title={t("reportsTitle")}>
      <p class="rep-about">{t("repIntro")}</p>
      {hasCalls && (
        <section aria-labelledby="rep-glance-title">
          <h2 id="rep-glance-title"><a href="/app/reports/calls_by_source">{t("repGlance")}</a></h2>
          <ReportLoaded resource={glance}>{(calls) => (calls ? <Glance calls={calls} /> : null)}</ReportLoaded>
        </section>
      )}
      <section aria-labelledby="rep-list-title">
        <h2 id="rep-list-title">{t("repAllReports")}</h2>
        <ul class="rep-list">
          {reports.map((r) => (
            <li key={r.name} class="card" data-report={r.name}>
              <h3><a href={`/app/reports/${encodeURIComponent(r.name)}`}>{reportTitle(r.name, r.title, t)}</a></h3>
              <p>{reportAbout(r.name, r.description, t)}</p>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
