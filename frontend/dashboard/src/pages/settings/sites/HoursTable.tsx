// The site's working hours as a weekly table: each day closed or open, with one or more
// ranges (a range past midnight, 22:00–02:00, runs into the next day).
import { useSession } from "../../../session";
import { DAYS, type Day, type DayRow, type Range } from "./model";

export type Rows = Record<Day, DayRow>;

export function HoursTable({ id, rows, onChange, allDay, onAllDay }: {
  id: string; rows: Rows; onChange: (rows: Rows) => void; allDay: boolean; onAllDay: (v: boolean) => void;
}) {
  const { t, can } = useSession();
  const write = can("write");
  const set = (day: Day, row: DayRow) => onChange({ ...rows, [day]: row });
  const setRange = (day: Day, i: number, part: 0 | 1, v: string) => {
    const ranges = rows[day].ranges.map((r, j) => (j === i ? (part === 0 ? [v, r[1]] : [r[0], v]) as Range : r));
    set(day, { ...rows[day], ranges });
  };
  return (
    <div class="hours">
      <fieldset class="radios">
        <legend>{t("setHoursMode")}</legend>
        <label class="inline"><input type="radio" name={`${id}-mode`} checked={allDay} onChange={() => onAllDay(true)} />{t("setHoursAllDay")}</label>
        <label class="inline"><input type="radio" name={`${id}-mode`} checked={!allDay} onChange={() => onAllDay(false)} />{t("setHoursWeekly")}</label>
      </fieldset>
      {!allDay && (
        <div class="scroll-x">
          <table class="hours-table">
            <caption class="visually-hidden">{t("setHoursTitle")}</caption>
            <thead><tr><th scope="col">{t("setDay")}</th><th scope="col">{t("setOpen")}</th><th scope="col">{t("setHoursRanges")}</th></tr></thead>
            <tbody>
              {DAYS.map((day) => {
                const row = rows[day];
                const name = t(`setDay_${day}` as "setDay_mon");
                return (
                  <tr key={day} data-day={day}>
                    <th scope="row">{name}</th>
                    <td>
                      <input type="checkbox" id={`${id}-${day}-open`} checked={row.open} aria-label={t("setOpenOn", { day: name })}
                        onChange={(e) => set(day, { ...row, open: (e.currentTarget as HTMLInputElement).checked })} />
                    </td>
                    <td>
                      {row.open ? (
                        <ul class="ranges">
                          {row.ranges.map(([from, to], i) => (
                            <li key={i}>
                              <input type="time" value={from} aria-label={t("setOpensAt", { day: name, n: i + 1 })}
                                onChange={(e) => setRange(day, i, 0, (e.currentTarget as HTMLInputElement).value)} />
                              <span aria-hidden="true">–</span>
                              <input type="time" value={to} aria-label={t("setClosesAt", { day: name, n: i + 1 })}
                                onChange={(e) => setRange(day, i, 1, (e.currentTarget as HTMLInputElement).value)} />
                              {write && row.ranges.length > 1 && (
                                <button type="button" class="link" aria-label={t("setRemoveRange", { day: name, n: i + 1 })}
                                  onClick={() => set(day, { ...row, ranges: row.ranges.filter((_, j) => j !== i) })}>
                                  {t("setRemove")}
                                </button>
                              )}
                            </li>
                          ))}
                          {write && row.ranges.length < 6 && (
                            <li><button type="button" class="link" aria-label={t("setAddRange", { day: name })}
                              onClick={() => set(day, { ...row, ranges: [...row.ranges, ["14:00", "18:00"]] })}>
                              {t("setAddRangeShort")}
                            </button></li>
                          )}
                        </ul>
                      ) : <span class="muted">{t("setClosed")}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
