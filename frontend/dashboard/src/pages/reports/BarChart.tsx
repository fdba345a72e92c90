// A horizontal bar chart (Chart.js on a canvas) with its numbers in a table beside it:
// the canvas is an image to a screen reader and small on a phone, the table is neither.
import { useEffect, useRef, useState } from "preact/hooks";
import { useTexts } from "../../session";

export interface BarData {
  title: string;
  // The names of the bars' measure and of what a bar is (the table's column heads).
  measure: string;
  group: string;
  // What the canvas says it shows, for a screen reader.
  description: string;
  labels: string[];
  now: (number | null)[];
  // The previous period's values on the same labels, when compared.
  before: (number | null)[] | null;
  format: (value: number, signed?: boolean) => string;
  // Counts: the axis ticks whole numbers (no "1.5 calls").
  whole?: boolean;
  note?: string;
}

const NOW_COLOUR = "#1f4fd1";
const BEFORE_COLOUR = "#a9b8e8";
const LABEL_CHARS = 28;

function short(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

type ChartInstance = { destroy(): void };

export function BarChart({ data, id }: { data: BarData; id: string }) {
  const { t } = useTexts();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState<"pending" | "drawn" | "failed">("pending");
  const compared = data.before !== null;
  // Bars of a fixed thickness: a chart of 3 rows is short, one of 12 is tall.
  const height = Math.max(150, data.labels.length * (compared ? 34 : 26) + 60);
  // Redrawn when what it shows changes, not on every render of the page around it.
  const shown = JSON.stringify([data.title, data.labels, data.now, data.before]);

  useEffect(() => {
    let chart: ChartInstance | null = null;
    let stopped = false;
    import("./chartjs").then(({ Chart }) => {
      if (stopped || !canvas.current) return;
      const datasets = [{ label: t("repThisPeriod"), data: data.now, backgroundColor: NOW_COLOUR, borderRadius: 3, maxBarThickness: 28 }];
      if (data.before) datasets.push({ label: t("repPrevPeriod"), data: data.before, backgroundColor: BEFORE_COLOUR, borderRadius: 3, maxBarThickness: 28 });
      chart = new Chart(canvas.current, {
        type: "bar",
        data: { labels: data.labels, datasets },
        options: {
          indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
          plugins: {
            legend: { display: compared, position: "bottom" },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${data.format(Number(item.raw))}` } },
          },
          scales: {
            x: { beginAtZero: true, ticks: { callback: (value) => data.format(Number(value)), maxTicksLimit: 6, ...(data.whole ? { precision: 0 } : {}) } },
            y: { ticks: { callback: (_, index) => short(data.labels[index] ?? "") }, grid: { display: false } },
          },
        },
      });
      setDrawn("drawn");
    }).catch(() => { if (!stopped) setDrawn("failed"); });
    return () => { stopped = true; chart?.destroy(); };
  }, [shown, t]);

  return (
    <figure class="rep-figure" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{data.title}</figcaption>
      <div class={`rep-figure-body${drawn === "failed" ? " table-only" : ""}`}>
        {drawn !== "failed" && (
          <div class="rep-canvas" style={{ height: `${height}px` }}>
            <canvas ref={canvas} role="img" aria-label={data.description} data-chart={id} />
          </div>
        )}
        <div class="rep-chart-table" role="region" aria-label={t("repChartNumbers", { title: data.title })} tabIndex={0}>
          <table class="rep-small">
            <thead>
              <tr>
                <th scope="col">{data.group}</th>
                <th scope="col" class="num">{compared ? t("repThisPeriod") : data.measure}</th>
                {compared && <th scope="col" class="num">{t("repPrevPeriod")}</th>}
                {/* ± keeps four columns within a phone's width; its name is read out. */}
                {compared && <th scope="col" class="num"><span aria-hidden="true">±</span><span class="visually-hidden">{t("repChange")}</span></th>}
              </tr>
            </thead>
            <tbody>
              {data.labels.map((label, i) => {
                const now = data.now[i];
                const before = data.before?.[i] ?? null;
                return (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td class="num">{now === null ? "–" : data.format(now)}</td>
                    {compared && <td class="num">{before === null ? "–" : data.format(before)}</td>}
                    {compared && <td class="num">{now === null || before === null ? "–" : data.format(Math.round((now - before) * 100) / 100, true)}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
      {data.note && <p class="hint">{data.note}</p>}
    </figure>
  );
}
