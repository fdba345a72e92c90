// The settings area's texts: its navigation here, each group of pages in its own file
// (each under 400 lines); the area loads them together (src/routes.tsx).
import * as admin from "./settings-admin";
// Settings > privacy erases a caller as their card does, in the same words.
import * as erase from "./erase";
import * as privacy from "./settings-privacy";
import * as routing from "./settings-routing";
import * as sites from "./settings-sites";
import * as webhooks from "./settings-webhooks";
import * as widget from "./settings-widget";

const nav = {
  settingsTitle: "Settings",
  settingsSites: "Sites & numbers",
  settingsWebhooks: "Webhooks",
  settingsTeam: "Team",
  settingsApiKeys: "API keys",
  settingsAudit: "Audit log",
  settingsAccount: "Account",
  settingsClients: "Clients",
  settingsPrivacy: "Privacy & data",
} as const;

export const en = { ...nav, ...admin.en, ...webhooks.en, ...privacy.en, ...erase.en, ...sites.en, ...routing.en, ...widget.en } as const;

export const ru: Record<keyof typeof en, string> = {
  settingsTitle: "Настройки",
  settingsSites: "Сайты и номера",
  settingsWebhooks: "Вебхуки",
  settingsTeam: "Команда",
  settingsApiKeys: "API-ключи",
  settingsAudit: "Журнал действий",
  settingsAccount: "Аккаунт",
  settingsClients: "Клиенты",
  settingsPrivacy: "Данные и приватность",
  ...admin.ru,
  ...webhooks.ru,
  ...privacy.ru,
  ...erase.ru,
  ...sites.ru,
  ...routing.ru,
  ...widget.ru,
};
