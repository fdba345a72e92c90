// API keys: the account's own code calls the same API as this dashboard. A key is shown
// once, when it is made; revoked, it is refused at once.
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { dateTime } from "../../../ui/format";
import { Empty } from "../../../ui/states";
import { ConfirmButton, Guarded, SecretOnce, actorText, adminError, useVersioned } from "./shared";

interface ApiKey {
  keyId: string; name: string; access: "read" | "write"; createdBy: string; createdAt: number;
  lastUsedAt: number | null; revokedAt: number | null; hint: string;
}

interface Member { userId: string; email: string }

export default function ApiKeysSection(_: { rest: string }) {
  const { t } = useSession();
  const keys = useVersioned(async (api) => {
    const [listed, team] = await Promise.all([
      api.request<{ apiKeys: ApiKey[] }>("GET", "/v1/api-keys"),
      // Only to name who made each key; the list stands without it.
      api.get<{ members: Member[] }>("/v1/members").catch(() => ({ members: [] as Member[] })),
    ]);
    return { ...listed, body: { ...listed.body, members: team.members } };
  });
  const [secret, setSecret] = useState<{ keyId: string; name: string; secret: string } | null>(null);
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsApiKeys")}</h2>
      <p class="lead">{t("admKeysLead")}</p>
      {secret && (
        <SecretOnce title={t("admKeyCreated", { name: secret.name })} secret={secret.secret} testId="api-key-secret"
          warning={t("admKeySecretWarning")} onDone={() => setSecret(null)} />
      )}
      <Guarded resource={keys} need="manage">
        {({ body }) => (
          <Keys keys={body.apiKeys} members={body.members} onChanged={keys.refresh} onCreated={setSecret}
            onRevoked={(keyId) => setSecret((shown) => (shown?.keyId === keyId ? null : shown))} />
        )}
      </Guarded>
    </section>
  );
}

interface Made { keyId: string; name: string; secret: string }

function Keys({ keys, members, onChanged, onCreated, onRevoked }: {
  keys: ApiKey[]; members: Member[]; onChanged: () => Promise<void>; onCreated: (made: Made) => void; onRevoked: (keyId: string) => void;
}) {
  const { t, language, api, can } = useSession();
  const names = new Map(members.map((m) => [`user:${m.userId}`, m.email]));
  const live = keys.filter((k) => k.revokedAt === null).sort((a, b) => b.createdAt - a.createdAt);
  const revoked = keys.filter((k) => k.revokedAt !== null).sort((a, b) => (b.revokedAt ?? 0) - (a.revokedAt ?? 0));
  const manage = can("manage");
  return (
    <>
      {manage && <NewKey onCreated={async (created) => { onCreated(created); await onChanged(); }} />}
      <h3>{t("admKeysLive", { count: live.length })}</h3>
      {live.length === 0 ? <Empty><p>{t("admKeysEmpty")}</p></Empty> : (
        <div class="scroll">
          <table class="stack keys">
            <thead><tr>
              <th scope="col">{t("admKeyName")}</th><th scope="col">{t("admKeyAccess")}</th><th scope="col">{t("admKeyMadeBy")}</th>
              <th scope="col">{t("admKeyLastUsed")}</th><th scope="col"><span class="visually-hidden">{t("admActions")}</span></th>
            </tr></thead>
            <tbody>
              {live.map((k) => (
                <tr key={k.keyId} data-key={k.name}>
                  <td data-label={t("admKeyName")}><strong>{k.name}</strong><code class="hint block">{k.hint}</code></td>
                  <td data-label={t("admKeyAccess")}>{k.access === "write" ? t("admKeyWrite") : t("admKeyRead")}</td>
                  <td data-label={t("admKeyMadeBy")}>{actorText(k.createdBy, names, t)}<span class="hint block">{dateTime(k.createdAt, language)}</span></td>
                  <td data-label={t("admKeyLastUsed")}>{k.lastUsedAt ? dateTime(k.lastUsedAt, language) : t("admKeyNeverUsed")}</td>
                  <td data-label={t("admActions")}>
                    {manage && (
                      <ConfirmButton label={t("admKeyRevoke")} testId={`revoke-${k.name}`} question={t("admKeyRevokeQuestion", { name: k.name })}
                        confirm={t("admKeyRevoke")}
                        onConfirm={async () => { await api.send("DELETE", `/v1/api-keys/${encodeURIComponent(k.keyId)}`); onRevoked(k.keyId); await onChanged(); }} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoked.length > 0 && (
        <details class="revoked">
          <summary>{t("admKeysRevoked", { count: revoked.length })}</summary>
          <ul>
            {revoked.map((k) => (
              <li key={k.keyId} data-revoked-key={k.name}>
                <strong>{k.name}</strong> <code>{k.hint}</code>{" "}
                <span class="hint">{t("admKeyRevokedAt", { at: dateTime(k.revokedAt!, language) })}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function NewKey({ onCreated }: { onCreated: (made: Made) => Promise<void> }) {
  const { t, api } = useSession();
  const [name, setName] = useState("");
  const [access, setAccess] = useState<"read" | "write">("read");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { body } = await api.send<ApiKey & { secret: string }>("POST", "/v1/api-keys", { name: name.trim(), access });
      setName("");
      await onCreated({ keyId: body.keyId, name: body.name, secret: body.secret });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} data-testid="new-key-form">
      <h3>{t("admKeyNew")}</h3>
      <div class="field">
        <label for="key-name">{t("admKeyName")}</label>
        <input id="key-name" required maxLength={100} value={name} placeholder={t("admKeyNamePlaceholder")}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </div>
      <fieldset>
        <legend>{t("admKeyAccess")}</legend>
        <label class="inline choice">
          <input type="radio" name="key-access" checked={access === "read"} onChange={() => setAccess("read")} />
          <span><strong>{t("admKeyRead")}</strong> <span class="hint">{t("admKeyReadHint")}</span></span>
        </label>
        <label class="inline choice">
          <input type="radio" name="key-access" checked={access === "write"} onChange={() => setAccess("write")} />
          <span><strong>{t("admKeyWrite")}</strong> <span class="hint">{t("admKeyWriteHint")}</span></span>
        </label>
      </fieldset>
      {error ? <p role="alert" class="error">{adminError(error, t)}</p> : null}
      <button type="submit" disabled={busy}>{busy ? t("saving") : t("admKeyCreate")}</button>
    </form>
  );
}
