// English and Russian: every text the dashboard shows goes through t().

const TEXTS = {
  en: {
    title: "Calls",
    keyLabel: "API key",
    keyHint: "An API key of your account (Settings › API keys), kept in this tab only.",
    open: "Open",
    loading: "Loading calls…",
    empty: "No calls in the last seven days yet.",
    failed: "The calls could not be loaded: {message}",
    live: "Live: new calls appear by themselves.",
    caller: "Caller",
    number: "Number",
    source: "Source",
    status: "Status",
    when: "When",
    unattributed: "Not attributed",
    firstTime: "first call",
    code: "keyed the code shown on their visit",
    tapped: "tapped the number seconds before calling",
    held: "was on the site when they called",
    shown: "was shown the number before calling",
    sameRegion: "their phone is from the visit's region",
    otherRegion: "their phone is from elsewhere",
    calledBefore: "called before and was recognised",
    shared: "shared the number with another visitor",
    certainty: "{percent}% sure",
    runnerUp: "next likeliest: {percent}%",
    nobody: "Nobody was shown this number lately enough to name them.",
  },
  ru: {
    title: "Звонки",
    keyLabel: "API-ключ",
    keyHint: "API-ключ вашего аккаунта (Настройки › API-ключи), хранится только в этой вкладке.",
    open: "Открыть",
    loading: "Загружаем звонки…",
    empty: "За последние семь дней звонков пока нет.",
    failed: "Не удалось загрузить звонки: {message}",
    live: "Онлайн: новые звонки появляются сами.",
    caller: "Кто звонил",
    number: "Номер",
    source: "Источник",
    status: "Статус",
    when: "Когда",
    unattributed: "Источник не установлен",
    firstTime: "первый звонок",
    code: "ввёл код, показанный при визите",
    tapped: "нажал на номер за секунды до звонка",
    held: "был на сайте во время звонка",
    shown: "видел номер перед звонком",
    sameRegion: "телефон из региона визита",
    otherRegion: "телефон из другого региона",
    calledBefore: "звонил раньше и был узнан",
    shared: "номер был общим с другим посетителем",
    certainty: "уверенность {percent}%",
    runnerUp: "следующий вариант: {percent}%",
    nobody: "Этот номер давно никому не показывался — назвать звонящего нельзя.",
  },
} as const;

export type Language = keyof typeof TEXTS;
export type TextKey = keyof (typeof TEXTS)["en"];

export function languageOf(preferred: readonly string[]): Language {
  return preferred.some((tag) => tag.toLowerCase().startsWith("ru")) ? "ru" : "en";
}

export function translator(language: Language) {
  return (key: TextKey, values: Record<string, string | number> = {}): string =>
    TEXTS[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}

export type Translate = ReturnType<typeof translator>;
