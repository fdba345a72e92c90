// One webhook endpoint: what it is sent, how it is signed (and the headers the receiver
// verifies), its signing secrets (two during a rotation), a test delivery and the recent
// deliveries, a change, a new signing secret, and its removal.
import { useState } from "preact/hooks";
import { ApiError } from "../../../api";
import { useSession } from "../../../session";
import { dateTime } from "../../../ui/format";
import { ConfirmButton, SecretOnce, adminError } from "./shared";
import { WebhookForm, type WebhookFields } from "./WebhookForm";
import { Deliveries } from "./Deliveries";
import {
  ALL_EVENTS, EVENT_TYPES, SCHEME_HEADERS, STANDARD_WEBHOOKS, type Webhook, type WebhookTest, changedFields, overlapping, schemeName, schemeOf,
} from "./webhooks";

interface Props {
  hook: Webhook;
  siteId: string;
  etag: string | null;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}

export function WebhookCard({ hook, siteId, etag, canWrite, onChanged }: Props) {
  const { api, t, language } = useSession();
  const path = `/v1/sites/${encodeURIComponent(siteId)}/webhooks/${encodeURIComponent(hook.webhookId)}`;
  const [mode, setMode] = useState<"view" | "edit" | "rotate">("view");
  const [secret, setSecret] = useState<string | null>(null);
  const [sent, setSent] = useState(0); // test deliveries sent: the log is read again after each
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<unknown>(null);
  const [dropOld, setDropOld] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [rotateError, setRotateError] = useState<unknown>(null);
  // A switch to Standard Webhooks was refused until the secret is rotated (409
  // secret_rotation_required): after the rotation the card says the switch may follow.
  const [rotationAsked, setRotationAsked] = useState(false);
  const scheme = schemeOf(hook);
  const fields: WebhookFields = { url: hook.url, events: hook.events, enabled: hook.enabled, signatureScheme: scheme };

  // A 412 means someone changed the site meanwhile: the latest is read, the error shown.
  const guarded = async <T,>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) await onChanged();
      throw error;
    }
  };

  const sendTest = async () => {
    setTesting(true);
    setTestError(null);
    try {
      const { body } = await api.send<WebhookTest>("POST", `${path}/test`);
      if (!body.delivered) setTestError(new Error(body.error ?? t("admNotDelivered")));
      setSent((n) => n + 1);
    } catch (error) {
      setTestError(error);
    } finally {
      setTesting(false);
    }
  };

  const save = (edited: WebhookFields) => guarded(async () => {
    const change = changedFields(fields, edited);
    if (Object.keys(change).length > 0) await api.send("PATCH", path, change, { ifMatch: etag });
    await onChanged();
    setMode("view");
  });

  const rotate = async () => {
    setRotating(true);
    setRotateError(null);
    try {
      const { body } = await guarded(() => api.send<Webhook & { secret: string }>("POST", `${path}/secret`,
        dropOld ? { overlapSeconds: 0 } : undefined, { ifMatch: etag }));
      setSecret(body.secret);
      setMode("view");
      await onChanged();
    } catch (error) {
      setRotateError(error);
    } finally {
      setRotating(false);
    }
  };

  const all = hook.events.includes(ALL_EVENTS);
  return (
    <article class="card webhook" data-webhook={hook.webhookId} aria-labelledby={`wh-${hook.webhookId}-url`}>
      <header class="webhook-head">
        <h3 id={`wh-${hook.webhookId}-url`} class="url">{hook.url}</h3>
        <span class={hook.enabled ? "tag ok" : "tag warn"}>{hook.enabled ? t("admWebhookOn") : t("admWebhookOff")}</span>
      </header>
      <dl class="facts">
        <dt>{t("admWebhookEvents")}</dt>
        <dd>{all ? t("admWebhookAllEventsShort") : hook.events.map((type) => (
          <span class="tag" key={type} title={t(EVENT_TYPES.find((e) => e.type === type)?.text ?? "admEventUnknown")}>{type}</span>
        ))}</dd>
        <dt>{t("admWebhookScheme")}</dt>
        <dd data-testid="webhook-scheme" data-scheme={scheme}>
          <span class="tag">{schemeName(scheme) ? t(schemeName(scheme)!) : scheme}</span>
          {!schemeName(scheme) && <span class="hint"> {t("admWebhookSchemeUnknown")}</span>}
        </dd>
        {SCHEME_HEADERS[scheme] && (
          <>
            <dt>{t("admWebhookHeaders")}</dt>
            <dd>
              <ul class="headers" data-testid="webhook-headers">
                {SCHEME_HEADERS[scheme].map((h) => <li key={h.header}><code>{h.header}</code> <span class="hint">{t(h.text)}</span></li>)}
              </ul>
            </dd>
          </>
        )}
        <dt>{t("admWebhookOldSecret")}</dt>
        {hook.previousSecretExpiresAt && overlapping(hook, Date.now()) ? (
          <dd data-testid="webhook-overlap">
            <span class="tag warn">{t("admWebhookTwoSecrets")}</span>{" "}
            {t("admWebhookOldSecretUntil", { at: dateTime(hook.previousSecretExpiresAt, language) })}
          </dd>
        ) : <dd>{t("admWebhookOneSecret")}</dd>}
        <dt>{t("admAdded")}</dt>
        <dd>{hook.createdAt ? dateTime(hook.createdAt, language) : "–"}</dd>
      </dl>

      {secret && (
        <SecretOnce title={t("admWebhookNewSecret")} secret={secret} testId="webhook-secret"
          warning={t("admWebhookSecretWarning")} onDone={() => setSecret(null)} />
      )}
      {rotationAsked && mode === "view" && scheme !== STANDARD_WEBHOOKS && (
        <p role="status" class="hint ok" data-testid="webhook-switch-now">{t("admWebhookNowSwitch")}</p>
      )}

      {mode === "edit" && (
        <WebhookForm idPrefix={`wh-${hook.webhookId}`} initial={fields} submitLabel={t("save")} onSubmit={save}
          onCancel={() => setMode("view")}
          afterError={(error) => error instanceof ApiError && error.code === "secret_rotation_required" ? (
            <button type="button" class="secondary" data-testid="rotate-first"
              onClick={() => { setRotationAsked(true); setRotateError(null); setDropOld(false); setMode("rotate"); }}>
              {t("admWebhookRotateFirst")}
            </button>
          ) : null} />
      )}

      {mode === "rotate" && (
        <div class="confirm" role="group" aria-label={t("admWebhookRotate")}>
          <p>{t("admWebhookRotateQuestion")}</p>
          <label class="inline choice">
            <input type="radio" name={`rot-${hook.webhookId}`} checked={!dropOld} onChange={() => setDropOld(false)} />
            {t("admWebhookRotateOverlap")}
          </label>
          <label class="inline choice">
            <input type="radio" name={`rot-${hook.webhookId}`} checked={dropOld} onChange={() => setDropOld(true)} />
            {t("admWebhookRotateNow")}
          </label>
          {rotateError ? <p role="alert" class="error">{adminError(rotateError, t)}</p> : null}
          <div class="actions">
            <button type="button" disabled={rotating} onClick={rotate}>{rotating ? t("saving") : t("admWebhookRotateConfirm")}</button>
            <button type="button" class="secondary" onClick={() => { setRotationAsked(false); setMode("view"); }}>{t("cancel")}</button>
          </div>
        </div>
      )}

      {canWrite && mode === "view" && (
        <div class="actions">
          <button type="button" disabled={testing} onClick={sendTest}>{testing ? t("admWebhookTesting") : t("admWebhookTest")}</button>
          <button type="button" class="secondary" onClick={() => setMode("edit")}>{t("edit")}</button>
          <button type="button" class="secondary" onClick={() => { setRotateError(null); setMode("rotate"); }}>{t("admWebhookRotate")}</button>
          <ConfirmButton label={t("delete")} question={t("admWebhookDeleteQuestion", { url: hook.url })} confirm={t("admWebhookDeleteConfirm")}
            onConfirm={() => guarded(async () => { await api.send("DELETE", path, undefined, { ifMatch: etag }); await onChanged(); })} />
        </div>
      )}
      <p role="status" class="error">
        {testError ? adminError(testError, t) : ""}
      </p>

      <Deliveries path={path} generation={sent} />
    </article>
  );
}
