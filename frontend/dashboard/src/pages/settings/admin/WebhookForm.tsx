// An endpoint's URL, the events it is sent, how they are signed and whether it is on: for
// adding one and for changing one.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { adminError } from "./shared";
import { ALL_EVENTS, EVENT_TYPES, SCHEMES, SCHEME_HEADERS, STANDARD_WEBHOOKS, eventsToSend } from "./webhooks";

export interface WebhookFields {
  url: string;
  events: string[];
  enabled: boolean;
  signatureScheme: string;
}

export function WebhookForm({ idPrefix, initial, submitLabel, onSubmit, onCancel, afterError }: {
  idPrefix: string;
  initial?: WebhookFields;
  submitLabel: string;
  onSubmit: (fields: WebhookFields) => Promise<void>;
  onCancel?: () => void;
  // What the form offers beside a refusal (a rotation, when the scheme needs one first).
  afterError?: (error: unknown) => ComponentChildren;
}) {
  const { t } = useSession();
  const [url, setUrl] = useState(initial?.url ?? "");
  const [all, setAll] = useState(!initial || initial.events.includes(ALL_EVENTS));
  const [chosen, setChosen] = useState<string[]>(initial && !initial.events.includes(ALL_EVENTS) ? initial.events : []);
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  // New endpoints sign as Standard Webhooks unless the user keeps the first format.
  const [scheme, setScheme] = useState(initial?.signatureScheme ?? STANDARD_WEBHOOKS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Types the endpoint has that this page does not know yet (the API added them) stay chosen.
  const unknown = chosen.filter((type) => !EVENT_TYPES.some((e) => e.type === type));

  const toggle = (type: string, on: boolean) => setChosen((c) => (on ? [...c, type] : c.filter((x) => x !== type)));
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!all && chosen.length === 0) {
      setError(new Error(t("admWebhookPickEvents")));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ url: url.trim(), events: eventsToSend(all, chosen), enabled, signatureScheme: scheme });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="webhook-form" onSubmit={submit} data-testid={`${idPrefix}-form`}>
      <div class="field">
        <label for={`${idPrefix}-url`}>{t("admWebhookUrl")}</label>
        <input id={`${idPrefix}-url`} type="url" required inputMode="url" autoComplete="off" spellcheck={false}
          placeholder="https://example.com/ringback" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
          aria-describedby={`${idPrefix}-url-hint`} />
        <p class="hint" id={`${idPrefix}-url-hint`}>{t("admWebhookUrlHint")}</p>
      </div>
      <fieldset>
        <legend>{t("admWebhookEvents")}</legend>
        <label class="inline choice">
          <input type="radio" name={`${idPrefix}-scope`} checked={all} onChange={() => setAll(true)} />
          {t("admWebhookAllEvents")}
        </label>
        <label class="inline choice">
          <input type="radio" name={`${idPrefix}-scope`} checked={!all} onChange={() => setAll(false)} />
          {t("admWebhookSomeEvents")}
        </label>
        {!all && (
          <ul class="event-choices">
            {EVENT_TYPES.map((e) => (
              <li key={e.type}>
                <label class="inline">
                  <input type="checkbox" checked={chosen.includes(e.type)} onChange={(ev) => toggle(e.type, (ev.target as HTMLInputElement).checked)} />
                  <code>{e.type}</code>
                </label>
                <span class="hint">{t(e.text)}</span>
              </li>
            ))}
            {unknown.map((type) => (
              <li key={type}>
                <label class="inline">
                  <input type="checkbox" checked onChange={() => toggle(type, false)} />
                  <code>{type}</code>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <fieldset class="schemes">
        <legend>{t("admWebhookScheme")}</legend>
        {SCHEMES.map((s) => (
          <label class="inline choice" key={s.scheme}>
            <input type="radio" name={`${idPrefix}-scheme`} value={s.scheme} checked={scheme === s.scheme}
              onChange={() => setScheme(s.scheme)} />
            <span>
              <strong>{t(s.name)}</strong>
              <span class="hint block">{t(s.hint)}</span>
              <span class="hint block">{SCHEME_HEADERS[s.scheme].map((h) => <code key={h.header}>{h.header}</code>)}</span>
            </span>
          </label>
        ))}
        {initial && scheme !== initial.signatureScheme && <p class="hint warning" role="status">{t("admWebhookSchemeChange")}</p>}
      </fieldset>
      <div class="field">
        <label class="inline">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} />
          {t("admWebhookEnabled")}
        </label>
        <p class="hint">{t("admWebhookEnabledHint")}</p>
      </div>
      {error ? <p role="alert" class="error">{adminError(error, t)}</p> : null}
      {error && afterError ? afterError(error) : null}
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? t("saving") : submitLabel}</button>
        {onCancel && <button type="button" class="secondary" onClick={onCancel}>{t("cancel")}</button>}
      </div>
    </form>
  );
}
