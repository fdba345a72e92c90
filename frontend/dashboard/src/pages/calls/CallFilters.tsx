// The call log's filters: a date range and what the API filters by (GET /v1/calls).
import { useState } from "preact/hooks";
import { useSession } from "../../session";
import { dayInput, dayStart } from "../../ui/format";
import { CALL_STATUSES, LEAD_STATUSES, leadText, statusText } from "./words";

export interface Filters {
  from?: string; // yyyy-mm-dd, the user's local day
  to?: string;
  source?: string;
  campaign?: string;
  number?: string;
  status?: string;
  leadStatus?: string;
  tag?: string;
  firstTime?: string; // "1" when set
  missed?: string;
}

const NAMES: (keyof Filters)[] = ["from", "to", "source", "campaign", "number", "status", "leadStatus", "tag", "firstTime", "missed"];
const DAY = 24 * 3600 * 1000;

export function filtersFrom(params: Record<string, string>): Filters {
  const out: Filters = {};
  for (const name of NAMES) if (params[name]) out[name] = params[name];
  return out;
}

// The API's range: the days chosen, or the last seven days (the API's default).
export function rangeOf(filters: Filters): { from?: number; to?: number } {
  return {
    from: filters.from ? dayStart(filters.from) : undefined,
    to: filters.to ? dayStart(filters.to) + DAY : undefined,
  };
}

export function CallFilters({ value, onApply }: { value: Filters; onApply: (filters: Filters) => void }) {
  const { t } = useSession();
  const [draft, setDraft] = useState<Filters>(value);
  const set = (name: keyof Filters) => (event: Event) => {
    const target = event.target as HTMLInputElement;
    setDraft({ ...draft, [name]: target.type === "checkbox" ? (target.checked ? "1" : undefined) : target.value || undefined });
  };
  const text = (name: keyof Filters, label: string, type = "text") => (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} type={type} value={draft[name] ?? ""} onInput={set(name)} />
    </div>
  );
  // Open on a wide screen or when a filter is set; on a phone the list comes first.
  const open = Object.values(value).some(Boolean) || window.matchMedia("(min-width: 641px)").matches;
  return (
    <details class="filters-box" open={open}>
    <summary>{t("filters")}</summary>
    <form class="filters" role="search" aria-label={t("filters")} onSubmit={(e) => { e.preventDefault(); onApply(draft); }}>
      <div class="field">
        <label for="f-from">{t("from")}</label>
        <input id="f-from" type="date" value={draft.from ?? ""} max={dayInput(Date.now())} onInput={set("from")} />
      </div>
      <div class="field">
        <label for="f-to">{t("to")}</label>
        <input id="f-to" type="date" value={draft.to ?? ""} onInput={set("to")} />
      </div>
      {text("source", t("filterSource"))}
      {text("campaign", t("filterCampaign"))}
      {text("number", t("filterNumber"), "tel")}
      <div class="field">
        <label for="f-status">{t("filterStatus")}</label>
        <select id="f-status" value={draft.status ?? ""} onChange={set("status")}>
          <option value="">{t("any")}</option>
          {CALL_STATUSES.map((s) => <option key={s} value={s}>{statusText(s, t)}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="f-lead">{t("filterLead")}</label>
        <select id="f-lead" value={draft.leadStatus ?? ""} onChange={set("leadStatus")}>
          <option value="">{t("any")}</option>
          {LEAD_STATUSES.map((s) => <option key={s} value={s}>{leadText(s, t)}</option>)}
        </select>
      </div>
      {text("tag", t("filterTag"))}
      <label class="inline"><input type="checkbox" checked={!!draft.firstTime} onChange={set("firstTime")} />{t("filterFirstTime")}</label>
      <label class="inline"><input type="checkbox" checked={!!draft.missed} onChange={set("missed")} />{t("filterMissed")}</label>
      <div class="field buttons">
        <button type="submit">{t("apply")}</button>{" "}
        <button type="button" class="secondary" onClick={() => { setDraft({}); onApply({}); }}>{t("clear")}</button>
      </div>
    </form>
    </details>
  );
}
