// Every column of a report's answer, whatever the API adds, with each measure's change
// from the previous period when the two are compared.
import type { Compared } from "./compare";
import { delta } from "./compare";
import { cellText, columnLabel, type CellContext } from "./cells";
import { additive, kindOf, type Row } from "./model";

function blank(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

// Columns empty in every row of both periods (a keyword nobody tagged) say nothing.
export function shownColumns(columns: string[], rows: Compared[]): { shown: string[]; hidden: string[] } {
  const hidden = columns.filter((c) => rows.length > 0 && rows.every((r) => blank(r.row?.[c]) && blank(r.previous?.[c])));
  return { shown: columns.filter((c) => !hidden.includes(c)), hidden };
}

interface Props {
  id: string;
  caption: string;
  columns: string[];
  rows: Compared[];
  comparing: boolean;
  ctx: CellContext;
}

export function DataTable({ id, caption, columns, rows, comparing, ctx }: Props) {
  const { t } = ctx;
  const { shown, hidden } = shownColumns(columns, rows);
  const measure = (c: string) => kindOf(c, ctx.dimensions) !== "dimension" && kindOf(c, ctx.dimensions) !== "text";
  return (
    <>
      <div class="rep-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table class="stack rep-table" id={id}>
          <caption id={`${id}-caption`} class="visually-hidden">{caption}</caption>
          <thead>
            <tr>{shown.map((c) => <th scope="col" key={c} class={measure(c) ? "num" : undefined}>{columnLabel(c, t)}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map(({ key, row, previous }) => {
              const base: Row = row ?? previous ?? {};
              return (
                <tr key={key} class={row ? undefined : "rep-gone"}>
                  {shown.map((c) => {
                    const label = columnLabel(c, t);
                    if (!measure(c)) return <td key={c} data-label={label} data-column-name={c}>{cellText(c, base[c], base, ctx)}</td>;
                    const change = comparing ? delta(c, ctx.dimensions, row, previous) : null;
                    // A row missing from a period counted none there.
                    const text = (r: Row | null) => (r ? cellText(c, r[c], r, ctx) : additive(c, ctx.dimensions) ? cellText(c, 0, base, ctx) : "–");
                    return (
                      <td key={c} data-label={label} class="num" data-column={c}>
                        <span class="rep-now">{text(row)}</span>
                        {comparing && (
                          <span class="rep-delta" data-delta={change ?? ""}>
                            {change !== null && change !== 0 && <span class="rep-sign">{cellText(c, change, base, ctx, true)}</span>}
                            <span class="rep-was">{t("repWas", { value: text(previous) })}</span>
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {hidden.length > 0 && <p class="hint">{t("repHidden", { columns: hidden.map((c) => columnLabel(c, t)).join(", ") })}</p>}
    </>
  );
}
