// What a report is asked for: its days (a preset or custom), the comparison, the visit a
// call is credited to, and its filters. All of it lives in the address, so a report can
// be bookmarked or shared as it is shown.
import { useEffect, useState } from "preact/hooks";
import type { TextKey } from "../../i18n";
import { useTexts } from "../../session";
import { textOr } from "./cells";
import type { ReportInfo } from "./model";
import { PRESETS, rangeProblem, type DayRange, type Preset } from "./range";

export type Query = Record<string, string | undefined>;

const PRESET_TEXT: Record<Preset, TextKey> = {
  "7": "repPreset7", "30": "repPreset30", "90": "repPreset90", month: "repPresetMonth", custom: "repPresetCustom",
};

export interface Choices {
  sites: { id: string; name: string }[];
  pools: { id: string; name: string }[];
}

interface Props {
  info: ReportInfo;
  preset: Preset;
  range: DayRange;
  query: Query;
  choices: Choices;
  onChange: (changes: Query) => void;
}

export function Controls({ info, preset, range, query, choices, onChange }: Props) {
  const { t } = useTexts();
  return (
    <>
      <div class="filters rep-controls">
        <fieldset class="rep-presets">
          <legend>{t("repRange")}</legend>
          {PRESETS.map((p) => (
            <label key={p} class={p === preset ? "on" : undefined}>
              <input type="radio" name="rep-range" value={p} checked={p === preset}
                onChange={() => onChange(p === "custom" ? { range: p, from: range.from, to: range.to } : { range: p, from: undefined, to: undefined })} />
              <span>{t(PRESET_TEXT[p])}</span>
            </label>
          ))}
        </fieldset>
        {preset === "custom" && <CustomRange range={range} onShow={(r) => onChange({ range: "custom", ...r })} />}
        <div class="rep-options">
          <label class="inline rep-check">
            <input type="checkbox" checked={query.compare === "1"} onChange={(e) => onChange({ compare: (e.target as HTMLInputElement).checked ? "1" : undefined })} />
            <span>{t("repCompare")}</span>
          </label>
          {info.touches.length > 0 && (
            <div class="field">
              <label for="rep-touch">{t("repTouch")}</label>
              <select id="rep-touch" value={query.touch ?? info.touches[0]} onChange={(e) => {
                const value = (e.target as HTMLSelectElement).value;
                onChange({ touch: value === info.touches[0] ? undefined : value });
              }}>
                {info.touches.map((touch) => <option key={touch} value={touch}>{textOr(`repTouch_${touch}`, touch, t)}</option>)}
              </select>
            </div>
          )}
        </div>
      </div>
      {info.filters.length > 0 && <Filters info={info} query={query} choices={choices} onChange={onChange} />}
    </>
  );
}

function CustomRange({ range, onShow }: { range: DayRange; onShow: (range: DayRange) => void }) {
  const { t } = useTexts();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [problem, setProblem] = useState<TextKey | null>(null);
  useEffect(() => { setFrom(range.from); setTo(range.to); }, [range.from, range.to]);
  return (
    <form class="rep-custom" noValidate onSubmit={(e) => {
      e.preventDefault();
      const wrong = rangeProblem({ from, to });
      setProblem(wrong);
      if (!wrong) onShow({ from, to });
    }}>
      <div class="field">
        <label for="rep-from">{t("repFrom")}</label>
        <input id="rep-from" type="date" value={from} max={to || undefined} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="rep-to">{t("repTo")}</label>
        <input id="rep-to" type="date" value={to} min={from || undefined} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </div>
      <button type="submit" class="secondary">{t("repShow")}</button>
      {problem && <p role="alert" class="error">{t(problem)}</p>}
    </form>
  );
}

function Filters({ info, query, choices, onChange }: { info: ReportInfo; query: Query; choices: Choices; onChange: (changes: Query) => void }) {
  const { t } = useTexts();
  const active = info.filters.filter((f) => query[f]);
  const [values, setValues] = useState<Query>(() => Object.fromEntries(info.filters.map((f) => [f, query[f] ?? ""])));
  useEffect(() => setValues(Object.fromEntries(info.filters.map((f) => [f, query[f] ?? ""]))), [info.name, ...info.filters.map((f) => query[f])]);
  const set = (name: string) => (e: Event) => setValues((v) => ({ ...v, [name]: (e.target as HTMLInputElement | HTMLSelectElement).value }));
  return (
    <details class="rep-filters" open={active.length > 0}>
      <summary>{active.length ? t("repFiltersOn", { count: active.length }) : t("repFilters")}</summary>
      <form onSubmit={(e) => {
        e.preventDefault();
        onChange(Object.fromEntries(info.filters.map((f) => [f, values[f]?.trim() || undefined])));
      }}>
        <div class="rep-filter-fields">
          {info.filters.map((name) => {
            const id = `rep-filter-${name}`;
            const list = name === "site" ? choices.sites : name === "pool" ? choices.pools : null;
            return (
              <div class="field" key={name}>
                <label for={id}>{textOr(`repFilter_${name}`, name, t)}</label>
                {list && list.length > 0 ? (
                  <select id={id} value={values[name] ?? ""} onChange={set(name)}>
                    <option value="">{t(name === "site" ? "repAnySite" : "repAnyPool")}</option>
                    {list.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
                  </select>
                ) : (
                  <input id={id} type="text" value={values[name] ?? ""} onInput={set(name)} maxLength={200} autocomplete="off" />
                )}
              </div>
            );
          })}
        </div>
        <div class="rep-filter-actions">
          <button type="submit">{t("repApplyFilters")}</button>
          {active.length > 0 && (
            <button type="button" class="secondary" onClick={() => onChange(Object.fromEntries(info.filters.map((f) => [f, undefined])))}>
              {t("repClearFilters")}
            </button>
          )}
        </div>
      </form>
    </details>
  );
}
