// Erasing one caller's data on their request: what goes, that it cannot be undone, a
// confirmation the user ticks, then what was deleted. Only for the roles that may write
// (owners, admins); the API refuses the others (calls/erasure.py requires WRITE).
import { Fragment } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useSession } from "../../session";
import { phone } from "../../ui/format";
import { ERASED, type Erasure, erasePath, erasureError } from "./erasure";
import "./erase.css";

export function EraseCaller({ number, onErased, nested = false }: {
  number: string;
  onErased: (erasure: Erasure) => void;
  // Inside another card (settings > privacy), whose heading names it: no heading or frame of its own.
  nested?: boolean;
}) {
  const { t, api } = useSession();
  const [open, setOpen] = useState(false);
  const [sure, setSure] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const check = useRef<HTMLInputElement>(null);
  useEffect(() => { if (open) check.current?.focus(); }, [open]);
  const shown = phone(number);

  const erase = async () => {
    setBusy(true);
    setError(null);
    try {
      const { body } = await api.send<Erasure>("DELETE", erasePath(number));
      onErased(body);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class={nested ? "erase nested" : "card erase"} aria-labelledby={nested ? undefined : "erase-title"}
      aria-label={nested ? t("eraseTitle") : undefined} id="erase" data-testid="erase-caller">
      {!nested && <h2 id="erase-title">{t("eraseTitle")}</h2>}
      <p>{t("eraseLead", { number: shown })}</p>
      <ul>
        <li>{t("eraseWhatCalls")}</li>
        <li>{t("eraseWhatRecordings")}</li>
        <li>{t("eraseWhatCallbacks")}</li>
        <li>{t("eraseWhatTexts")}</li>
        <li>{t("eraseWhatReports")}</li>
      </ul>
      <p class="hint">{t("eraseKept")}</p>
      <p class="irreversible"><strong>{t("eraseIrreversible")}</strong></p>
      {!open ? (
        <button type="button" class="danger" onClick={() => { setSure(false); setError(null); setOpen(true); }}>{t("eraseStart")}</button>
      ) : (
        <div class="confirm danger" role="group" aria-label={t("eraseTitle")}
          onKeyDown={(e) => { if (e.key === "Escape" && !busy) setOpen(false); }}>
          <label class="inline choice">
            <input ref={check} type="checkbox" checked={sure} onChange={(e) => setSure((e.target as HTMLInputElement).checked)} />
            <span>{t("eraseConfirmCheck", { number: shown })}</span>
          </label>
          {error ? <p role="alert" class="error">{erasureError(error, t)}</p> : null}
          <div class="actions">
            <button type="button" class="danger" disabled={!sure || busy} onClick={erase}>{busy ? t("erasing") : t("eraseConfirm")}</button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setOpen(false)}>{t("cancel")}</button>
          </div>
        </div>
      )}
    </section>
  );
}

// What an erasure deleted, as the API counted it.
export function Erased({ number, erasure, nested = false }: { number: string; erasure: Erasure; nested?: boolean }) {
  const { t } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, [erasure.erasureId]);
  return (
    <section class={nested ? "erased nested" : "card erased"} role="status" aria-labelledby="erased-title" data-testid="erased">
      {nested
        ? <h4 id="erased-title" ref={heading} tabIndex={-1}>{t("erasedTitle", { number: phone(number) })}</h4>
        : <h2 id="erased-title" ref={heading} tabIndex={-1}>{t("erasedTitle", { number: phone(number) })}</h2>}
      <dl class="facts">
        {ERASED.map((e) => (
          <Fragment key={e.field}><dt>{t(e.label)}</dt><dd data-erased={e.field}>{erasure.erased[e.field] ?? 0}</dd></Fragment>
        ))}
      </dl>
      <p class="hint">{t("erasedRef", { id: erasure.erasureId })}</p>
      <p><a class="button secondary" href="/app/calls">{t("erasedBack")}</a></p>
    </section>
  );
}
