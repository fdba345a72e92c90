// English and Russian: every text the dashboard shows goes through t(). Each area keeps
// its own texts; a Russian text missing for an English one is a type error. The texts of
// the first screens (the shell, sign-in, calls) come with the first download; the others
// are loaded with their area's pages (src/routes.tsx) and added here before they render.
import * as auth from "./auth";
import type * as callbacks from "./callbacks";
import * as calls from "./calls";
import * as common from "./common";
import type * as onboarding from "./onboarding";
import type * as reports from "./reports";
import type * as settings from "./settings";

type AllTexts = typeof common.en & typeof auth.en & typeof calls.en & typeof callbacks.en & typeof reports.en
  & typeof settings.en & typeof onboarding.en;

export type TextKey = keyof AllTexts;
export type Language = "en" | "ru";
export const LANGUAGES: readonly Language[] = ["en", "ru"];

export interface AreaTexts {
  en: Record<string, string>;
  ru: Record<string, string>;
}

const TEXTS: Record<Language, Record<string, string>> = { en: {}, ru: {} };

// Adds an area's texts; a key another area already uses is a mistake that would show one
// area's words in the other, so it fails loudly.
export function addTexts(area: AreaTexts): void {
  for (const language of LANGUAGES) {
    for (const [key, text] of Object.entries(area[language])) {
      if (key in TEXTS[language] && TEXTS[language][key] !== text) throw new Error(`text key "${key}" is used by two areas`);
      TEXTS[language][key] = text;
    }
  }
}

[common, auth, calls].forEach(addTexts);

export function languageOf(preferred: readonly string[]): Language {
  return preferred.some((tag) => tag.toLowerCase().startsWith("ru")) ? "ru" : "en";
}

export function translator(language: Language) {
  return (key: TextKey, values: Record<string, string | number> = {}): string =>
    (TEXTS[language][key] ?? TEXTS.en[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}

export type Translate = ReturnType<typeof translator>;
