// A site's outgoing webhooks: where its call events are POSTed, each endpoint's test
// delivery, signing secret and changes. Endpoints belong to a site, and every change
// names the site's version it read (If-Match).
import { useState } from "preact/hooks";
import { ApiError } from "../../../api";
import { useSession } from "../../../session";
import { useResource } from "../../../ui/resource";
import { Empty } from "../../../ui/states";
import { Guarded, SecretOnce, useVersioned } from "./shared";
import { WebhookCard } from "./WebhookCard";
import { WebhookForm, type WebhookFields } from "./WebhookForm";
import type { Webhook } from "./webhooks";

interface SiteItem { siteId: string; name: string; domains: string[] }

export default function WebhooksSection({ rest }: { rest: string }) {
  const { t } = useSession();
  const sites = useResource((api) => api.get<{ sites: SiteItem[] }>("/v1/sites"));
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsWebhooks")}</h2>
      <p class="lead">{t("admWebhooksLead")}</p>
      <Guarded resource={sites} need="read">
        {({ sites }) => sites.length === 0
          ? <Empty><p>{t("admWebhooksNoSite")}</p><a class="button secondary" href="/app/settings/sites">{t("admWebhooksAddSite")}</a></Empty>
          : <SiteWebhooks sites={sites} initial={sites.find((s) => s.siteId === rest)?.siteId ?? sites[0].siteId} />}
      </Guarded>
    </section>
  );
}

function SiteWebhooks({ sites, initial }: { sites: SiteItem[]; initial: string }) {
  const { t, api, can } = useSession();
  const [siteId, setSiteId] = useState(initial);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const path = `/v1/sites/${encodeURIComponent(siteId)}/webhooks`;
  const hooks = useVersioned((a) => a.request<{ webhooks: Webhook[] }>("GET", path), [path]);
  const canWrite = can("write");

  const add = async (fields: WebhookFields) => {
    const etag = hooks.state === "ready" ? hooks.value.etag : null;
    let body: Webhook & { secret: string };
    try {
      ({ body } = await api.send<Webhook & { secret: string }>("POST", path, fields, { ifMatch: etag }));
    } catch (error) {
      // Someone changed the site meanwhile: read its latest version, then say so.
      if (error instanceof ApiError && error.status === 412) await hooks.refresh();
      throw error;
    }
    setCreated({ url: body.url, secret: body.secret });
    setAdding(false);
    await hooks.refresh();
  };

  return (
    <>
      {sites.length > 1 && (
        <div class="filters">
          <div class="field">
            <label for="webhook-site">{t("admWebhookSite")}</label>
            <select id="webhook-site" value={siteId} onChange={(e) => { setSiteId((e.target as HTMLSelectElement).value); setCreated(null); setAdding(false); }}>
              {sites.map((s) => <option key={s.siteId} value={s.siteId}>{s.name}</option>)}
            </select>
          </div>
        </div>
      )}
      {!canWrite && <p class="hint" data-testid="read-only">{t("admWebhooksReadOnly")}</p>}
      {created && (
        <SecretOnce title={t("admWebhookCreated", { url: created.url })} secret={created.secret} testId="webhook-secret"
          warning={t("admWebhookSecretWarning")} onDone={() => setCreated(null)} />
      )}
      <Guarded resource={hooks} need="read">
        {({ body, etag }) => (
          <>
            {body.webhooks.length === 0
              ? !adding && <Empty><p>{t("admWebhooksEmpty")}</p></Empty>
              : body.webhooks.map((hook) => (
                <WebhookCard key={`${siteId}/${hook.webhookId}`} hook={hook} siteId={siteId} etag={etag} canWrite={canWrite} onChanged={hooks.refresh} />
              ))}
            {canWrite && (adding
              ? (
                <div class="card">
                  <h3>{t("admWebhookAdd")}</h3>
                  <WebhookForm idPrefix="wh-new" submitLabel={t("admWebhookAddSubmit")} onSubmit={add} onCancel={() => setAdding(false)} />
                </div>
              )
              : <button type="button" onClick={() => { setCreated(null); setAdding(true); }}>{t("admWebhookAdd")}</button>)}
          </>
        )}
      </Guarded>
    </>
  );
}
