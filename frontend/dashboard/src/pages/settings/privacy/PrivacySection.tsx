// Settings > Privacy & data: how long call recordings are kept (the account's
// recordingRetentionDays, If-Match as every account change), and one caller's data erased
// on their request, found by number first so the user sees what it is before it goes.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../../api";
import type { Translate } from "../../../i18n";
import { useSession } from "../../../session";
import { dateTime, phone } from "../../../ui/format";
import { Outcome } from "../../../ui/states";
import { EraseCaller, Erased } from "../../calls/EraseCaller";
import { type Erasure, e164, erasePath, erasureError } from "../../calls/erasure";
import { Guarded, adminError, useVersioned } from "../admin/shared";
import { RETENTION_CHOICES, retentionLabel, retentionOf } from "./retention";
import "./privacy.css";

interface Account {
  tenantId: string;
  retentionDays: number;
  recordingRetentionDays?: number;
}

export default function PrivacySection(_: { rest: string }) {
  const { t } = useSession();
  const account = useVersioned((api) => api.request<Account>("GET", "/v1/account"));
  return (
    <section aria-labelledby="admin-title" class="admin privacy">
      <h2 id="admin-title">{t("settingsPrivacy")}</h2>
      <p class="lead">{t("prvLead")}</p>
      <Guarded resource={account} need="read">
        {({ body, etag }) => <Retention account={body} etag={etag} refresh={account.refresh} />}
      </Guarded>
      <EraseByNumber />
    </section>
  );
}

function periodText(days: number, t: Translate): string {
  const { key, values } = retentionLabel(days);
  return t(key, values);
}

function Retention({ account, etag, refresh }: { account: Account; etag: string | null; refresh: () => Promise<void> }) {
  const { t, api, can } = useSession();
  const current = retentionOf(account);
  const [days, setDays] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDays(current), [current]);
  const manage = can("manage");

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.send("PATCH", "/v1/account", { recordingRetentionDays: days }, { ifMatch: etag });
      await refresh();
      setSaved(true);
    } catch (caught) {
      // Someone changed the account meanwhile: the latest is shown, and the error says so.
      if (caught instanceof ApiError && caught.status === 412) await refresh();
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card" data-testid="retention">
      <h3>{t("prvRetentionTitle")}</h3>
      <p>{t("prvCallsKept", { days: account.retentionDays })}</p>
      {manage ? (
        <form onSubmit={save} data-testid="retention-form">
          <div class="field">
            <label for="recording-retention">{t("prvRetentionLabel")}</label>
            <select id="recording-retention" value={String(days)} aria-describedby="recording-retention-hint"
              onChange={(e) => { setSaved(false); setDays(Number((e.target as HTMLSelectElement).value)); }}>
              {RETENTION_CHOICES.some((c) => c.days === current) ? null : <option value={String(current)}>{periodText(current, t)}</option>}
              {RETENTION_CHOICES.map((c) => <option key={c.days} value={String(c.days)}>{t(c.label)}</option>)}
            </select>
            <p class="hint" id="recording-retention-hint">{t("prvRetentionHint")}</p>
          </div>
          {error ? <p role="alert" class="error">{retentionError(error, t)}</p> : <Outcome saved={saved} />}
          <button type="submit" disabled={busy || days === current}>{busy ? t("saving") : t("save")}</button>
        </form>
      ) : (
        <>
          <p data-testid="retention-now">{t("prvRetentionNow", { period: periodText(current, t) })}</p>
          <p class="hint">{t("prvRetentionHint")}</p>
          <p class="hint" data-testid="read-only">{t("prvRetentionReadOnly")}</p>
        </>
      )}
    </div>
  );
}

function retentionError(error: unknown, t: Translate): string {
  if (error instanceof ApiError && error.code === "invalid_retention") return t("prvErrInvalidRetention");
  return adminError(error, t);
}

// The caller's card (GET /v1/callers/{number}): its newest calls (at most CARD_CALLS) and
// its callback requests of the last 90 days (calls/follow_up.py).
interface Found {
  number: string;
  calls: { started_at: number }[];
  callbacks: unknown[];
}
const CARD_CALLS = 50;

function EraseByNumber() {
  const { t, api, can, language } = useSession();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [found, setFound] = useState<Found | null>(null);
  const [erased, setErased] = useState<{ number: string; erasure: Erasure } | null>(null);

  const find = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setFound(null);
    setErased(null);
    const number = e164(typed);
    if (!number) {
      setError(new ApiError(400, "invalid_number", ""));
      return;
    }
    setBusy(true);
    try {
      setFound(await api.get<Found>(erasePath(number)));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card" data-testid="erase-by-number">
      <h3>{t("prvEraseTitle")}</h3>
      {!can("write") ? <p class="hint" data-testid="erase-refused">{t("prvEraseReadOnly")}</p> : (
        <>
          <p>{t("prvEraseLead")}</p>
          <form class="find-caller" onSubmit={find}>
            <label for="erase-number">{t("prvEraseNumber")}</label>
            <div class="row">
              <input id="erase-number" type="tel" inputMode="tel" autoComplete="off" required value={typed}
                aria-describedby="erase-number-hint"
                onInput={(e) => { setTyped((e.target as HTMLInputElement).value); setFound(null); }} />
              <button type="submit" class="secondary" disabled={busy}>{busy ? t("prvEraseFinding") : t("prvEraseFind")}</button>
            </div>
            <p class="hint" id="erase-number-hint">{t("prvEraseNumberHint")}</p>
            {error ? <p role="alert" class="error">{erasureError(error, t)}</p> : null}
          </form>
        </>
      )}
      {found && !erased && (
        <div class="found" data-testid="erase-found">
          <h4>{t("prvEraseFound", { number: phone(found.number) })}</h4>
          <dl class="facts">
            <dt>{t("prvFoundCalls")}</dt>
            <dd data-testid="found-calls">{found.calls.length >= CARD_CALLS ? t("prvFoundCallsMany", { count: CARD_CALLS }) : found.calls.length}</dd>
            {found.calls.length > 0 && <><dt>{t("prvFoundLast")}</dt><dd>{dateTime(Math.max(...found.calls.map((c) => c.started_at)), language)}</dd></>}
            <dt>{t("prvFoundCallbacks")}</dt><dd>{found.callbacks.length}</dd>
          </dl>
          <p><a href={`/app/callers/${encodeURIComponent(found.number)}`}>{t("prvEraseOpenCard")}</a></p>
          <EraseCaller nested number={found.number} onErased={(erasure) => { setErased({ number: found.number, erasure }); setFound(null); setTyped(""); }} />
        </div>
      )}
      {erased && <Erased nested number={erased.number} erasure={erased.erasure} />}
    </div>
  );
}
