// A report's chart with its choices: which measure, and (calls by source) whether a bar is
// a source, a campaign or each row; the previous period as a second set of bars.
import { useMemo } from "preact/hooks";
import { BarChart, type BarData } from "./BarChart";
import { cellText, columnLabel, partsText, textOr, type CellContext } from "./cells";
import { bars, chartBars, keyOf, type Bar } from "./compare";
import { Heatmap, maxOf, useWide } from "./Heatmap";
import { additive, kindOf, measuresFor, type ChartSpec, type ReportAnswer } from "./model";

const TOP = 12;

interface Props {
  spec: ChartSpec;
  answer: ReportAnswer;
  before: ReportAnswer | null;
  ctx: CellContext;
  rangeText: string;
  // The measure and grouping chosen (kept in the address, so they survive a new range).
  chosen: { chart?: string; group?: string };
  onChoose: (changes: { chart?: string; group?: string }) => void;
}

function MeasurePicker({ measures, value, onChange, ctx }: { measures: string[]; value: string; onChange: (m: string) => void; ctx: CellContext }) {
  if (measures.length < 2) return null;
  return (
    <div class="field">
      <label for="rep-measure">{ctx.t("repChart")}</label>
      <select id="rep-measure" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {measures.map((m) => <option key={m} value={m}>{columnLabel(m, ctx.t)}</option>)}
      </select>
    </div>
  );
}

export function ChartPanel({ spec, answer, before, ctx, rangeText, chosen, onChoose }: Props) {
  const groupNames = Object.keys(spec.groups);
  const group = chosen.group && groupNames.includes(chosen.group) ? chosen.group : groupNames[0] ?? "row";
  const setGroup = (g: string) => onChoose({ group: g === groupNames[0] ? undefined : g });
  const by = spec.groups[group] ?? [];
  // Bars that stand for several rows (a source with many campaigns) can only show sums.
  const merges = (rows: ReportAnswer["rows"]) => new Set(rows.map((r) => keyOf(r, by))).size < rows.length;
  const grouped = spec.kind === "bar" && (merges(answer.rows) || (before !== null && merges(before.rows)));
  const measures = measuresFor(spec, answer.columns, ctx.dimensions, grouped);
  const measure = chosen.chart && measures.includes(chosen.chart) ? chosen.chart : measures[0];
  const setChosen = (m: string) => onChoose({ chart: m === measures[0] ? undefined : m });
  const { t } = ctx;
  const wide = useWide();

  const data = useMemo((): BarData | null => {
    if (spec.kind !== "bar" || !measure) return null;
    const keep = spec.skip ? (rows: ReportAnswer["rows"]) => rows.filter((r) => !spec.skip!(r)) : (rows: ReportAnswer["rows"]) => rows;
    const absent = additive(measure, ctx.dimensions) ? 0 : null;
    const withAlways = (found: Bar[]) => [...found, ...(spec.always ?? [])
      .filter((row) => !found.some((b) => b.key === keyOf(row, by)))
      .map((row): Bar => ({ key: keyOf(row, by), parts: by.map((c) => row[c] ?? null), values: { [measure]: absent } }))];
    const now = withAlways(bars(keep(answer.rows), by, [measure], ctx.dimensions));
    const then = before ? withAlways(bars(keep(before.rows), by, [measure], ctx.dimensions)) : null;
    const shown = chartBars(now, then, measure, TOP, absent);
    if (shown.length === 0) return null;
    // Money is written in its rows' currency (one per chart in practice: one per upload).
    const sample = keep(answer.rows)[0] ?? {};
    const format = (value: number, signed = false) => cellText(measure, value, sample, ctx, signed);
    const name = columnLabel(measure, t);
    const groupText = textOr(`repGroup_${group}`, by.length === 1 ? columnLabel(by[0], t) : group, t);
    const labels = shown.map((b) => partsText(by, b.parts, ctx));
    return {
      title: t("repChartData", { measure: name, group: groupText.toLowerCase() }),
      // The table's head names what a bar is (a dative "by sources" does not head a column).
      measure: name, group: by.map((c) => columnLabel(c, t)).join(" / "),
      description: t("repChartLabel", { measure: name, group: groupText.toLowerCase(), range: rangeText }),
      whole: kindOf(measure, ctx.dimensions) === "count",
      labels, now: shown.map((b) => b.now), before: then ? shown.map((b) => b.before) : null, format,
      note: now.length > TOP ? t("repChartTop", { count: TOP }) : undefined,
    };
  }, [answer, before, measure, group, ctx.language, ctx.names]);

  if (spec.kind === "heatmap" && measure) {
    const max = Math.max(maxOf(answer.rows, measure), before ? maxOf(before.rows, measure) : 0);
    const format = (value: number) => cellText(measure, value, {}, ctx);
    const caption = t("repHeatCaption", { measure: columnLabel(measure, t) });
    return (
      <section class="card rep-chart-card">
        <div class="rep-chart-options"><MeasurePicker measures={measures} value={measure} onChange={setChosen} ctx={ctx} /></div>
        <div class={before ? `rep-heat-pair${wide ? " wide" : ""}` : undefined}>
          <Heatmap id="rep-heat" caption={before ? `${caption}: ${t("repThisPeriod").toLowerCase()}` : caption} rows={answer.rows} measure={measure} format={format} ctx={ctx} max={max} wide={wide} />
          {before && <Heatmap id="rep-heat-before" caption={`${caption}: ${t("repPrevPeriod").toLowerCase()}`} rows={before.rows} measure={measure} format={format} ctx={ctx} max={max} wide={wide} />}
        </div>
      </section>
    );
  }
  if (!data) return null;
  return (
    <section class="card rep-chart-card">
      {(measures.length > 1 || groupNames.length > 1) && (
        <div class="rep-chart-options">
          <MeasurePicker measures={measures} value={measure} onChange={setChosen} ctx={ctx} />
          {groupNames.length > 1 && (
            <div class="field">
              <label for="rep-group">{t("repGroupBy")}</label>
              <select id="rep-group" value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
                {groupNames.map((g) => <option key={g} value={g}>{textOr(`repGroup_${g}`, g, t)}</option>)}
              </select>
            </div>
          )}
        </div>
      )}
      <BarChart id={`rep-chart-${answer.report}`} data={data} />
    </section>
  );
}
