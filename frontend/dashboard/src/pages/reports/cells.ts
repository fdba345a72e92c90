// A report's cells in words: column names, values by kind (counts, shares, seconds,
// money, weekdays, hours), changes with their sign, and the names of accounts, pools and
// sites in place of their ids.
import type { Language, TextKey, Translate } from "../../i18n";
import { en } from "../../i18n/reports";
import { locale, money } from "../../ui/format";
import { currencyOf, kindOf, type Row } from "./model";

// id -> name, by the column that holds the id (tenant_id, pool_id, site_id).
export type Names = Record<string, Record<string, string>>;

export interface CellContext {
  t: Translate;
  language: Language;
  dimensions: string[];
  names: Names;
}

function known(key: string): key is TextKey {
  return key in en;
}

// "avg_talk_seconds" -> "Avg talk seconds" for a column the dashboard has no words for.
function humanize(column: string): string {
  const text = column.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The text of a key made from an API value (a filter, a touch), or the value itself when
// the API names one the dashboard has no words for yet.
export function textOr(key: string, fallback: string, t: Translate): string {
  return known(key) ? t(key) : fallback;
}

export function columnLabel(column: string, t: Translate): string {
  const key = `repCol_${column}`;
  return known(key) ? t(key) : humanize(column);
}

export function reportTitle(name: string, fallback: string, t: Translate): string {
  const key = `repTitle_${name}`;
  return known(key) ? t(key) : fallback;
}

export function reportAbout(name: string, fallback: string, t: Translate): string {
  const key = `repAbout_${name}`;
  return known(key) ? t(key) : fallback;
}

// Monday is 1, as the API's weekday (ISO) counts: 2024-01-01 was a Monday.
export function weekdayName(weekday: number, language: Language, style: "long" | "short" = "long"): string {
  return new Date(Date.UTC(2024, 0, weekday)).toLocaleDateString(locale(language), { weekday: style, timeZone: "UTC" });
}

export function hourName(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
}

function number(value: number, language: Language, signed: boolean, digits = 1): string {
  return new Intl.NumberFormat(locale(language), { maximumFractionDigits: digits, signDisplay: signed ? "exceptZero" : "auto" }).format(value);
}

// Seconds as people say them: 35 s, 4.5 min, 12 h.
export function seconds(value: number, language: Language, signed = false): string {
  const size = Math.abs(value);
  const [amount, unit] = size < 120 ? [value, "second"] : size < 7200 ? [value / 60, "minute"] : [value / 3600, "hour"];
  return new Intl.NumberFormat(locale(language), {
    style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1, signDisplay: signed ? "exceptZero" : "auto",
  }).format(amount);
}

// A share under 1 % keeps two significant digits: a pool 0.04 % busy is not "0 %".
export function percent(value: number, language: Language, signed = false): string {
  const small = value !== 0 && Math.abs(value) < 1;
  return new Intl.NumberFormat(locale(language), {
    style: "percent", signDisplay: signed ? "exceptZero" : "auto",
    ...(small ? { maximumSignificantDigits: 2 } : { maximumFractionDigits: 1 }),
  }).format(value / 100);
}

// A dimension's value: what names the row.
export function dimensionText(column: string, value: unknown, ctx: CellContext): string {
  if (value === null || value === undefined || value === "") return ctx.t("repNotSet");
  if (column === "weekday" && typeof value === "number") return weekdayName(value, ctx.language);
  if (column === "hour_of_day" && typeof value === "number") return hourName(value);
  // The scheme says nothing a reader needs and makes an address wider than its column.
  if (column === "landing_page" && typeof value === "string") return value.replace(/^https?:\/\//, "");
  if (column === "callers") {
    const key = `repCallers_${String(value)}`;
    return known(key) ? ctx.t(key) : String(value);
  }
  return ctx.names[column]?.[String(value)] ?? String(value);
}

// One cell as the table shows it; `signed` writes a change (+3, −1.5 %).
export function cellText(column: string, value: unknown, row: Row, ctx: CellContext, signed = false): string {
  const kind = kindOf(column, ctx.dimensions);
  if (kind === "dimension") return dimensionText(column, value, ctx);
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value !== "number") {
    if (value === "mixed") return ctx.t("repMixed");
    return String(value);
  }
  if (kind === "pct") return percent(value, ctx.language, signed);
  if (kind === "seconds") return seconds(value, ctx.language, signed);
  if (kind === "money") {
    const currency = currencyOf(column, row);
    if (!currency) return number(value, ctx.language, signed, 2);
    if (!signed) return money(value, currency, ctx.language);
    const text = money(Math.abs(value), currency, ctx.language);
    return value === 0 ? text : `${value < 0 ? "−" : "+"}${text}`;
  }
  return number(value, ctx.language, signed, 2);
}

// The label of a chart bar or table row from the columns that name it.
export function partsText(columns: string[], parts: unknown[], ctx: CellContext): string {
  const named = parts.map((value, i) => dimensionText(columns[i], value, ctx));
  return named.join(" / ");
}

// "1 row", "3 rows"; in Russian "1 строка", "3 строки", "5 строк".
export function rowCount(count: number, t: Translate, language: Language): string {
  const form = new Intl.PluralRules(locale(language)).select(count);
  const key = `repRowCount_${form}`;
  const text = new Intl.NumberFormat(locale(language)).format(count);
  return known(key) ? t(key, { count: text }) : text;
}

// A yyyy-mm-dd day of the API (the report's own day, so no time zone shifts it).
export function dayText(day: string, language: Language): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale(language), { dateStyle: "medium", timeZone: "UTC" });
}

export function bytes(size: number, language: Language): string {
  const [amount, unit] = size < 1024 ? [size, "byte"] : size < 1024 ** 2 ? [size / 1024, "kilobyte"] : [size / 1024 ** 2, "megabyte"];
  return new Intl.NumberFormat(locale(language), { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 }).format(amount);
}
