// The account itself: its name, and whether it is an agency (which opens client accounts
// and sees them side by side). Changes name the version read (If-Match).
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../../api";
import { useSession } from "../../../session";
import { day } from "../../../ui/format";
import { Outcome } from "../../../ui/states";
import { retentionLabel, retentionOf } from "../privacy/retention";
import { ConfirmButton, Guarded, adminError, useVersioned } from "./shared";

interface Account {
  tenantId: string; name: string; kind: "customer" | "agency"; parentId: string | null;
  plan: string; retentionDays: number; recordingRetentionDays?: number; createdAt: number;
}

export default function AccountSection(_: { rest: string }) {
  const { t } = useSession();
  const account = useVersioned((api) => api.request<Account>("GET", "/v1/account"));
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsAccount")}</h2>
      <Guarded resource={account} need="read">
        {({ body, etag }) => <AccountForm account={body} etag={etag} refresh={account.refresh} />}
      </Guarded>
    </section>
  );
}

function AccountForm({ account, etag, refresh }: { account: Account; etag: string | null; refresh: () => Promise<void> }) {
  const { t, language, api, can, me, clients, refresh: refreshSession } = useSession();
  const [name, setName] = useState(account.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setName(account.name), [account.name]);
  const manage = can("manage");
  const retention = retentionLabel(retentionOf(account));
  const agencyName = account.parentId
    ? me.memberships.find((m) => m.tenantId === account.parentId)?.name ?? account.parentId
    : null;
  const hasClients = account.kind === "agency" && clients.length > 0;

  const patch = async (change: Partial<Pick<Account, "name" | "kind">>) => {
    try {
      await api.send("PATCH", "/v1/account", change, { ifMatch: etag });
    } catch (caught) {
      // Someone else changed it: show the latest, and say so.
      if (caught instanceof ApiError && caught.status === 412) await refresh();
      throw caught;
    }
    await refresh();
    refreshSession(); // the switcher's names, the Clients section of an agency
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await patch({ name: name.trim() });
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="card">
      <dl class="facts">
        <dt>{t("admAccountKind")}</dt>
        <dd data-testid="account-kind">
          {account.kind === "agency" ? t("admKindAgency") : account.parentId ? t("admKindClient", { agency: agencyName ?? "" }) : t("admKindCustomer")}
        </dd>
        <dt>{t("admAccountPlan")}</dt><dd>{account.plan === "trial" ? t("admPlanTrial") : account.plan}</dd>
        <dt>{t("admAccountRetention")}</dt><dd>{t("admAccountRetentionDays", { days: account.retentionDays })}</dd>
        <dt>{t("admAccountRecordings")}</dt>
        <dd data-testid="account-recordings">{t(retention.key, retention.values)}
          {manage && <> · <a href="/app/settings/privacy">{t("admAccountRecordingsChange")}</a></>}</dd>
        <dt>{t("admAccountOpened")}</dt><dd>{account.createdAt ? day(account.createdAt, language) : "–"}</dd>
        <dt>{t("admAccountId")}</dt><dd><code>{account.tenantId}</code></dd>
      </dl>
      </div>

      {manage ? (
        <form class="card" onSubmit={save} data-testid="account-form">
          <div class="field">
            <label for="account-name">{t("admAccountNameLabel")}</label>
            <input id="account-name" required maxLength={120} value={name} onInput={(e) => { setSaved(false); setName((e.target as HTMLInputElement).value); }} />
            <p class="hint">{t("admAccountNameHint")}</p>
          </div>
          {error ? <p role="alert" class="error">{adminError(error, t)}</p> : <Outcome saved={saved} />}
          <button type="submit" disabled={busy || name.trim() === account.name || !name.trim()}>{busy ? t("saving") : t("save")}</button>
        </form>
      ) : <p class="hint" data-testid="read-only">{t("admAccountReadOnly")}</p>}

      {manage && !account.parentId && (
        <div class="card">
          <h3>{t("admAgencyTitle")}</h3>
          {account.kind === "customer" ? (
            <>
              <p>{t("admAgencyExplain")}</p>
              <ConfirmButton label={t("admMakeAgency")} question={t("admMakeAgencyQuestion")} confirm={t("admMakeAgency")}
                testId="make-agency" tone="secondary" onConfirm={() => patch({ kind: "agency" })} />
            </>
          ) : hasClients ? (
            <p>{t("admAgencyStays")}</p>
          ) : (
            <>
              <p>{t("admAgencyIs")}</p>
              <ConfirmButton label={t("admMakeCustomer")} tone="secondary" question={t("admMakeCustomerQuestion")} confirm={t("admMakeCustomer")}
                onConfirm={() => patch({ kind: "customer" })} />
            </>
          )}
        </div>
      )}
    </>
  );
}
