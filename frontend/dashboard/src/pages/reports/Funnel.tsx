// The callback funnel: each step with its count, its share of the requests and a bar of
// that share (drawn in HTML, read as text), and the connect times beside it.
import { Fragment } from "preact";
import type { Row } from "./model";
import { cellText, columnLabel, percent, type CellContext } from "./cells";

// The steps a request goes through, in order; a step the answer lacks is left out.
const STEPS = ["requested", "operator_answered", "visitor_answered", "completed"];
const TIMES = ["p50_connect_seconds", "p90_connect_seconds"];

function count(row: Row | null, column: string): number | null {
  const value = row?.[column];
  return typeof value === "number" ? value : null;
}

export function Funnel({ row, previous, columns, ctx }: { row: Row; previous: Row | null; columns: string[]; ctx: CellContext }) {
  const { t, language } = ctx;
  const requested = count(row, "requested") ?? 0;
  const steps = STEPS.filter((s) => columns.includes(s));
  return (
    <section class="card rep-funnel-card" aria-labelledby="rep-funnel-title">
      <h2 id="rep-funnel-title">{t("repFunnel")}</h2>
      <ol class="rep-funnel">
        {steps.map((step) => {
          const value = count(row, step) ?? 0;
          const share = requested > 0 ? (100 * value) / requested : 0;
          const before = count(previous, step);
          return (
            <li key={step} data-step={step}>
              <span class="rep-step-name">{columnLabel(step, t)}</span>
              <span class="rep-step-bar" aria-hidden="true"><span style={{ width: `${Math.max(share, value > 0 ? 2 : 0)}%` }} /></span>
              <span class="rep-step-count">
                <strong>{cellText(step, value, row, ctx)}</strong>
                {step !== "requested" && <span class="hint"> · {t("repOfRequests", { pct: percent(share, language) })}</span>}
                {previous && before !== null && (
                  <span class="rep-was">{t("repWas", { value: cellText(step, before, previous, ctx) })} ({cellText(step, value - before, row, ctx, true)})</span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      {TIMES.some((c) => columns.includes(c)) && (
        <>
          <h3>{t("repConnect")}</h3>
          <dl class="facts">
            {TIMES.filter((c) => columns.includes(c)).map((c) => (
              <Fragment key={c}>
                <dt>{columnLabel(c, t)}</dt>
                <dd>
                  {cellText(c, row[c], row, ctx)}
                  {previous && <span class="rep-was"> {t("repWas", { value: cellText(c, previous[c], previous, ctx) })}</span>}
                </dd>
              </Fragment>
            ))}
          </dl>
          <p class="hint">{t("repConnectHint")}</p>
        </>
      )}
    </section>
  );
}
