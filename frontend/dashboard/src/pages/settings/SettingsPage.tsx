// Settings: one section per thing the management API manages, each on its own address
// (/app/settings/<section>) and loaded on first use.
import type { ComponentType } from "preact";
import { lazy, useLocation } from "preact-iso";
import type { TextKey } from "../../i18n";
import { useSession } from "../../session";
import { Page } from "../../ui/states";

interface Section {
  path: string;
  label: TextKey;
  component: ComponentType<{ rest: string }>;
  // Shown only to roles with this permission (the API refuses the others anyway).
  needs?: "write" | "manage" | "audit";
  agencyOnly?: boolean;
}

const SECTIONS: Section[] = [
  { path: "sites", label: "settingsSites", component: lazy(() => import("./sites/SitesSection")) },
  { path: "webhooks", label: "settingsWebhooks", component: lazy(() => import("./admin/WebhooksSection")) },
  { path: "team", label: "settingsTeam", component: lazy(() => import("./admin/TeamSection")), needs: "manage" },
  { path: "api-keys", label: "settingsApiKeys", component: lazy(() => import("./admin/ApiKeysSection")), needs: "manage" },
  { path: "audit", label: "settingsAudit", component: lazy(() => import("./admin/AuditSection")), needs: "audit" },
  { path: "account", label: "settingsAccount", component: lazy(() => import("./admin/AccountSection")) },
  { path: "privacy", label: "settingsPrivacy", component: lazy(() => import("./privacy/PrivacySection")) },
  { path: "clients", label: "settingsClients", component: lazy(() => import("./admin/ClientsSection")), agencyOnly: true },
];

export default function SettingsPage() {
  const { t, can, me } = useSession();
  const { path } = useLocation();
  const isAgency = me.memberships.some((m) => m.kind === "agency");
  const visible = SECTIONS.filter((s) => (!s.needs || can(s.needs)) && (!s.agencyOnly || isAgency));
  const [, , , name = "sites", ...rest] = path.split("/"); // "", "app", "settings", name, ...
  const section = visible.find((s) => s.path === name) ?? visible[0];
  const Section = section.component;
  return (
    <Page title={t("settingsTitle")}>
      <div class="settings">
        <nav aria-label={t("settingsTitle")} class="sections">
          <ul>
            {visible.map((s) => (
              <li key={s.path}>
                <a href={`/app/settings/${s.path}`} aria-current={s === section ? "page" : undefined}>{t(s.label)}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="section-body"><Section rest={rest.join("/")} /></div>
      </div>
    </Page>
  );
}
