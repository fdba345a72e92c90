import { useEffect, useState } from "preact/hooks";
// Calls by hour and weekday as a table whose cells darken with the count: a screen reader
// reads the numbers, a phone fits seven columns, and no canvas is needed.
import type { Row } from "./model";
import { hourName, weekdayName, type CellContext } from "./cells";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const LEVELS = 5;

// 0 for nothing, then 1..5 by the share of the busiest cell (style.css: .heat-1 … .heat-5,
// light shades under dark text, dark ones under white, both readable).
export function level(value: number | null, max: number): number {
  if (value === null || value <= 0 || max <= 0) return 0;
  return Math.min(LEVELS, Math.max(1, Math.ceil((value / max) * LEVELS)));
}

export function grid(rows: Row[], measure: string): Map<string, number> {
  const cells = new Map<string, number>();
  for (const row of rows) {
    const value = row[measure];
    if (typeof row.weekday === "number" && typeof row.hour_of_day === "number" && typeof value === "number") {
      cells.set(`${row.weekday}:${row.hour_of_day}`, value);
    }
  }
  return cells;
}

interface Props {
  id: string;
  caption: string;
  rows: Row[];
  measure: string;
  format: (value: number) => string;
  ctx: CellContext;
  // The darkest shade stands for this value, so two periods shown together share a scale.
  max: number;
  wide: boolean;
}

// Weekdays down and hours across where 24 columns fit (as people picture a week);
// hours down on a narrow screen, so a phone shows seven columns without scrolling.
export function useWide(query = "(min-width: 900px)"): boolean {
  const [wide, setWide] = useState(() => typeof matchMedia === "function" && matchMedia(query).matches);
  useEffect(() => {
    if (typeof matchMedia !== "function") return;
    const list = matchMedia(query);
    const changed = () => setWide(list.matches);
    list.addEventListener("change", changed);
    changed();
    return () => list.removeEventListener("change", changed);
  }, [query]);
  return wide;
}

export function Heatmap({ id, caption, rows, measure, format, ctx, max, wide }: Props) {
  const cells = grid(rows, measure);
  const { t, language } = ctx;
  const cell = (d: number, h: number) => {
    const value = cells.get(`${d}:${h}`) ?? null;
    const shade = level(value, max);
    return (
      <td key={`${d}:${h}`} class={`heat-${shade}`} data-cell={`${d}:${h}`}>
        {value === null ? <span class="visually-hidden">–</span> : shade === 0 ? <span class="zero">{format(value)}</span> : format(value)}
      </td>
    );
  };
  const day = (d: number) => <abbr title={weekdayName(d, language)}>{weekdayName(d, language, "short")}</abbr>;
  return (
    // Focusable: on a narrow phone the grid may scroll sideways inside its box.
    <div class="rep-heat-box" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table class={`rep-heat${wide ? " wide" : ""}`} id={id} data-measure={measure}>
        <caption id={`${id}-caption`}>{caption}</caption>
        {wide ? (
          <>
            <thead>
              <tr>
                <td />
                {HOURS.map((h) => <th scope="col" key={h}>{String(h).padStart(2, "0")}</th>)}
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((d) => <tr key={d}><th scope="row">{day(d)}</th>{HOURS.map((h) => cell(d, h))}</tr>)}
            </tbody>
          </>
        ) : (
          <>
            <thead>
              <tr>
                <th scope="col">{t("repHour")}</th>
                {WEEKDAYS.map((d) => <th scope="col" key={d}>{day(d)}</th>)}
              </tr>
            </thead>
            <tbody>
              {HOURS.map((h) => <tr key={h}><th scope="row">{hourName(h)}</th>{WEEKDAYS.map((d) => cell(d, h))}</tr>)}
            </tbody>
          </>
        )}
      </table>
      <p class="rep-heat-legend" aria-hidden="true">
        <span>{t("repHeatLess")}</span>
        {Array.from({ length: LEVELS }, (_, i) => <span key={i} class={`swatch heat-${i + 1}`} />)}
        <span>{t("repHeatMore")}</span>
      </p>
    </div>
  );
}

export function maxOf(rows: Row[], measure: string): number {
  return rows.reduce((max, row) => (typeof row[measure] === "number" ? Math.max(max, row[measure] as number) : max), 0);
}
