// How the dashboard writes times, durations, money and numbers, in the chosen language.
import type { Language } from "../i18n";

const LOCALES: Record<Language, string> = { en: "en-US", ru: "ru-RU" };

export function locale(language: Language): string {
  return LOCALES[language];
}

export function dateTime(ms: number, language: Language): string {
  return new Date(ms).toLocaleString(LOCALES[language], { dateStyle: "medium", timeStyle: "short" });
}

export function day(ms: number, language: Language): string {
  return new Date(ms).toLocaleDateString(LOCALES[language], { dateStyle: "medium" });
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function money(value: number, currency: string | null | undefined, language: Language): string {
  try {
    return new Intl.NumberFormat(LOCALES[language], { style: "currency", currency: currency || "USD" }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency ?? ""}`.trim();
  }
}

// "+14155550123" -> "+1 415-555-0123" for North American numbers; others as stored.
export function phone(e164: string | null | undefined): string {
  if (!e164) return "–";
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return nanp ? `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}` : e164;
}

// <input type="date"> values (the user's local day) to and from epoch milliseconds.
export function dayInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function dayStart(value: string): number {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d).getTime();
}
