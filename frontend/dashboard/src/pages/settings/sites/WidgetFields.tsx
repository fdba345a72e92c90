// The widget designer's fields: the look, the texts per language, when the popup opens by
// itself, and on which visits it is offered at all.
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { Check, Field, literal, value } from "./kit";
import { type Widget, joinList, splitList } from "./model";

// The widget's texts (frontend/src/widget.js TEXTS; WIDGET_TEXTS on the API's side).
export const MAIN_TEXTS = ["button", "title", "text", "closed", "when", "asap", "country", "phone", "hint", "submit", "close"] as const;
export const STATUS_TEXTS = ["sending", "accepted", "scheduled", "calling_operator", "calling_visitor", "connected", "retry_scheduled", "missed",
  "invalid_phone", "country_not_allowed", "premium_number", "rate_limited", "network", "error"] as const;
const PLACEHOLDERS: Record<string, string> = { closed: "{time}", asap: "{time}", scheduled: "{time}", retry_scheduled: "{time}", hint: "{example}" };
const UTM = ["source", "medium", "campaign", "term", "content"] as const;

type Set = (w: Widget) => void;

export function LookFields({ widget, onChange }: { widget: Widget; onChange: Set }) {
  const { t } = useSession();
  const theme = widget.theme ?? {};
  const languages = Object.keys(theme.texts ?? {}).filter((l) => l !== "en" && l !== "ru");
  const color = theme.color ?? "#0a7cff";
  return (
    <fieldset>
      <legend>{t("setWidgetLook")}</legend>
      <div class="row">
        <Field id="w-color" label={t("setWidgetColor")}>
          <span class="color">
            <input id="w-color" type="color" value={color.length === 7 ? color : "#0a7cff"}
              onInput={(e) => onChange({ ...widget, theme: { ...theme, color: value(e) } })} />
            <code>{color}</code>
          </span>
        </Field>
        <Field id="w-position" label={t("setWidgetPosition")}>
          <select id="w-position" value={theme.position ?? "right"} onChange={(e) => onChange({ ...widget, theme: { ...theme, position: value(e) as "left" | "right" } })}>
            <option value="right">{t("setPositionRight")}</option>
            <option value="left">{t("setPositionLeft")}</option>
          </select>
        </Field>
        <Field id="w-locale" label={t("setWidgetLanguage")}>
          <select id="w-locale" value={widget.locale || "auto"} onChange={(e) => onChange({ ...widget, locale: value(e) })}>
            <option value="auto">{t("setLanguageAuto")}</option>
            <option value="en">English</option>
            <option value="ru">Русский</option>
            {languages.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </Field>
      </div>
    </fieldset>
  );
}

export function TextFields({ widget, onChange }: { widget: Widget; onChange: Set }) {
  const { t } = useSession();
  const [lang, setLang] = useState(widget.locale && widget.locale !== "auto" ? widget.locale : "en");
  const theme = widget.theme ?? {};
  const texts = theme.texts ?? {};
  const own = texts[lang] ?? {};
  const set = (key: string, text: string) => {
    const next = { ...own };
    if (text) next[key] = text;
    else delete next[key];
    const all = { ...texts, [lang]: next };
    if (Object.keys(next).length === 0) delete all[lang];
    onChange({ ...widget, theme: { ...theme, texts: all } });
  };
  const field = (key: string) => (
    <div class="field" key={key}>
      <label for={`wt-${key}`}>{t(`setWText_${key}` as "setWText_title")}</label>
      <input id={`wt-${key}`} maxLength={200} value={own[key] ?? ""} placeholder={t("setBuiltIn")}
        aria-describedby={PLACEHOLDERS[key] ? `wt-${key}-hint` : undefined} onInput={(e) => set(key, value(e))} />
      {PLACEHOLDERS[key] && <p class="hint" id={`wt-${key}-hint`}>{t("setPlaceholderHint", { placeholder: PLACEHOLDERS[key] })}</p>}
    </div>
  );
  return (
    <fieldset>
      <legend>{t("setWidgetTexts")}</legend>
      <div class="field">
        <label for="wt-lang">{t("setTextsFor")}</label>
        <select id="wt-lang" value={lang} onChange={(e) => setLang(value(e))}>
          <option value="en">English</option>
          <option value="ru">Русский</option>
          {Object.keys(texts).filter((l) => l !== "en" && l !== "ru").map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
      </div>
      <p class="hint">{t("setTextsHint", literal("keyword"))}</p>
      <div class="text-grid">{MAIN_TEXTS.map(field)}</div>
      <details>
        <summary>{t("setStatusTexts")}</summary>
        <div class="text-grid">{STATUS_TEXTS.map(field)}</div>
      </details>
    </fieldset>
  );
}

export function TriggerFields({ widget, onChange }: { widget: Widget; onChange: Set }) {
  const { t } = useSession();
  const tr = widget.triggers ?? {};
  const num = (key: keyof Widget["triggers"], text: string) => {
    const next = { ...tr } as Record<string, unknown>;
    if (text === "") delete next[key];
    else next[key] = Number(text);
    onChange({ ...widget, triggers: next as Widget["triggers"] });
  };
  const box = (key: "secondsOnPage" | "inactivitySeconds" | "scrollPercent" | "pagesViewed" | "cooldownHours", max: number, step = 1) => (
    <Field id={`tr-${key}`} label={t(`setTrigger_${key}` as "setTrigger_secondsOnPage")} hint={t(`setTriggerHint_${key}` as "setTriggerHint_secondsOnPage")}>
      <input id={`tr-${key}`} type="number" min={0} max={max} step={step} class="short" value={tr[key] ?? ""}
        aria-describedby={`tr-${key}-hint`} onInput={(e) => num(key, value(e))} />
    </Field>
  );
  return (
    <fieldset>
      <legend>{t("setWidgetTriggers")}</legend>
      <p class="hint">{t("setTriggersHint")}</p>
      <div class="row">
        {box("secondsOnPage", 3600)}
        {box("inactivitySeconds", 3600)}
        {box("scrollPercent", 100)}
        {box("pagesViewed", 100)}
        {box("cooldownHours", 720, 0.5)}
      </div>
      <Check id="tr-exit" label={t("setTrigger_exitIntent")} checked={tr.exitIntent === true}
        onChange={(exitIntent) => onChange({ ...widget, triggers: { ...tr, exitIntent } })} />
    </fieldset>
  );
}

export function TargetingFields({ widget, onChange }: { widget: Widget; onChange: Set }) {
  const { t } = useSession();
  const tg = widget.targeting ?? {};
  const list = (key: "paths" | "excludePaths" | "referrers" | "countries", text: string) => {
    const values = splitList(text).map((v) => key === "countries" ? v.toUpperCase() : v);
    const next = { ...tg } as Record<string, unknown>;
    if (values.length) next[key] = values;
    else delete next[key];
    onChange({ ...widget, targeting: next as Widget["targeting"] });
  };
  const utm = (key: (typeof UTM)[number], text: string) => {
    const values = splitList(text);
    const next = { ...(tg.utm ?? {}) };
    if (values.length) next[key] = values;
    else delete next[key];
    onChange({ ...widget, targeting: { ...tg, utm: next } });
  };
  const text = (id: string, key: "paths" | "excludePaths" | "referrers" | "countries") => (
    <Field id={id} label={t(`setTarget_${key}` as "setTarget_paths")} hint={t(`setTargetHint_${key}` as "setTargetHint_paths")}>
      <ListInput id={id} hinted values={tg[key]} onCommit={(v) => list(key, v)} />
    </Field>
  );
  return (
    <fieldset>
      <legend>{t("setWidgetTargeting")}</legend>
      <p class="hint">{t("setTargetingHint")}</p>
      <div class="text-grid">
        {text("tg-paths", "paths")}
        {text("tg-exclude", "excludePaths")}
        {text("tg-referrers", "referrers")}
        {text("tg-countries", "countries")}
        {UTM.map((k) => (
          <Field key={k} id={`tg-utm-${k}`} label={t(`setCond_utm_${k}` as "setCond_utm_source")}>
            <ListInput id={`tg-utm-${k}`} values={tg.utm?.[k]} onCommit={(v) => utm(k, v)} />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

// A comma-separated list kept as typed (a trailing comma included) and read on each key.
function ListInput({ id, values, onCommit, hinted }: { id: string; values: string[] | undefined; onCommit: (text: string) => void; hinted?: boolean }) {
  const [text, setText] = useState(joinList(values));
  return <input id={id} value={text} aria-describedby={hinted ? `${id}-hint` : undefined} onInput={(e) => { setText(value(e)); onCommit(value(e)); }} />;
}
