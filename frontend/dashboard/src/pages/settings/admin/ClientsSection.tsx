// An agency's client accounts: open one, switch the dashboard to it, and see them all in
// the roll-up report. Clients are the agency's, so this reads and writes as the agency
// even while a client is shown.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { type Client, useSession } from "../../../session";
import { day } from "../../../ui/format";
import { Empty } from "../../../ui/states";
import { Guarded, adminError, useVersioned } from "./shared";

export default function ClientsSection(_: { rest: string }) {
  const { t, me } = useSession();
  const agency = me.memberships.find((m) => m.kind === "agency");
  const clients = useVersioned(
    (a) => (agency ? a.forTenant(agency.tenantId) : a).request<{ clients: Client[] }>("GET", "/v1/clients"),
    [agency?.tenantId],
  );
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsClients")}</h2>
      <p class="lead">{t("admClientsLead")}</p>
      <p><a href="/app/reports/agency_rollup">{t("admClientsRollup")}</a></p>
      {!agency ? <Empty><p>{t("admClientsNotAgency")}</p></Empty> : (
        <Guarded resource={clients} need="read">
          {({ body }) => <Clients list={body.clients} agencyId={agency.tenantId} agencyName={agency.name} onOpened={clients.refresh} />}
        </Guarded>
      )}
    </section>
  );
}

function Clients({ list, agencyId, agencyName, onOpened }: {
  list: Client[]; agencyId: string; agencyName: string; onOpened: () => Promise<void>;
}) {
  const { t, language, tenant, setTenant, can } = useSession();
  const { route } = useLocation();
  const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name, language));
  const open = (tenantId: string) => {
    setTenant(tenantId);
    route("/app/calls");
  };
  return (
    <>
      {tenant !== agencyId && (
        <div class="card shown-client" role="status">
          <p>{t("admClientsShowing", { name: list.find((c) => c.tenantId === tenant)?.name ?? tenant })}</p>
          <button type="button" class="secondary" onClick={() => setTenant(agencyId)}>{t("admClientsBack", { name: agencyName })}</button>
        </div>
      )}
      {can("manage") && <NewClient agencyId={agencyId} onOpened={onOpened} />}
      <h3>{t("admClientsList", { count: list.length })}</h3>
      {sorted.length === 0 ? <Empty><p>{t("admClientsEmpty")}</p></Empty> : (
        <ul class="clients">
          {sorted.map((c) => (
            <li key={c.tenantId} class="card client" data-client={c.name}>
              <div>
                <strong>{c.name}</strong>
                {c.tenantId === tenant && <span class="tag ok">{t("admClientsShown")}</span>}
                <span class="hint block">{c.createdAt ? t("admClientsOpenedOn", { day: day(c.createdAt, language) }) : ""}</span>
              </div>
              {c.tenantId === tenant
                ? <a class="button secondary" href="/app/calls">{t("admClientsCalls")}<span class="visually-hidden"> ({c.name})</span></a>
                : (
                  <button type="button" class="secondary" onClick={() => open(c.tenantId)}>
                    {t("admClientsOpen")}<span class="visually-hidden"> ({c.name})</span>
                  </button>
                )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NewClient({ agencyId, onOpened }: { agencyId: string; onOpened: () => Promise<void> }) {
  const { t, api, refresh } = useSession();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setOpened(null);
    try {
      const { body } = await api.forTenant(agencyId).send<Client>("POST", "/v1/clients", { name: name.trim() });
      setOpened(body.name);
      setName("");
      await onOpened();
      refresh(); // the account switcher lists the new client
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card inline-form" onSubmit={submit} data-testid="new-client-form">
      <div class="field">
        <label for="client-name">{t("admClientsNewName")}</label>
        <input id="client-name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field submit">
        <button type="submit" disabled={busy}>{busy ? t("saving") : t("admClientsNew")}</button>
      </div>
      <div class="outcome">
        {error ? <p role="alert" class="error">{adminError(error, t)}</p> : null}
        <p role="status" class="ok">{opened ? t("admClientsOpened", { name: opened }) : ""}</p>
      </div>
    </form>
  );
}
