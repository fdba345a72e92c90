// The audit log: who changed what in the account and when, newest first, with what each
// change did. The API pages it with a cursor and filters it by time, actor and action.
import { useEffect, useState } from "preact/hooks";
import { type Api, query } from "../../../api";
import type { Translate } from "../../../i18n";
import { useSession } from "../../../session";
import { dateTime, dayStart } from "../../../ui/format";
import { useResource } from "../../../ui/resource";
import { Empty, errorText } from "../../../ui/states";
import { ACTIONS, type AuditEntry, type Change, changes, kindOf, shown } from "./audit";
import { Guarded, actorText } from "./shared";

const SIZES = [25, 50, 100, 200];
const SHOWN_CHANGES = 6;

interface Page { entries: AuditEntry[]; cursor: string | null }

interface Filters { actor: string; action: string; from: string; to: string }

const NO_FILTERS: Filters = { actor: "", action: "", from: "", to: "" };
const DAY = 24 * 3600 * 1000;

// The kinds of action to filter by: "site.", "webhook.", … (the API takes a prefix).
const KINDS = [...new Set(Object.keys(ACTIONS).map((action) => action.split(".")[0] + "."))].sort();

export default function AuditSection(_: { rest: string }) {
  const { t } = useSession();
  const [limit, setLimit] = useState(50);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const asked = query({ limit, actor: filters.actor, action: filters.action,
    from: filters.from ? dayStart(filters.from) : undefined, to: filters.to ? dayStart(filters.to) + DAY : undefined });
  const names = useResource((api) => actorNames(api, t), []);
  const first = useResource(async (api) => {
    const [page, named] = await Promise.all([api.get<Page>(`/v1/audit${asked}`), actorNames(api, t)]);
    return { page, names: named };
  }, [asked]);
  const set = (name: keyof Filters) => (e: Event) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsAudit")}</h2>
      <p class="lead">{t("admAuditLead")}</p>
      <div class="filters">
        <div class="field">
          <label for="audit-from">{t("from")}</label>
          <input id="audit-from" type="date" value={filters.from} onInput={set("from")} />
        </div>
        <div class="field">
          <label for="audit-to">{t("to")}</label>
          <input id="audit-to" type="date" value={filters.to} onInput={set("to")} />
        </div>
        <div class="field">
          <label for="audit-actor">{t("admAuditWho")}</label>
          <select id="audit-actor" value={filters.actor} onChange={set("actor")}>
            <option value="">{t("any")}</option>
            {names.state === "ready" && [...names.value].map(([actor, name]) => <option key={actor} value={actor}>{name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="audit-action">{t("admAuditWhat")}</label>
          <select id="audit-action" value={filters.action} onChange={set("action")}>
            <option value="">{t("any")}</option>
            {KINDS.map((kind) => <option key={kind} value={kind}>{kind.slice(0, -1)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="audit-size">{t("admAuditPageSize")}</label>
          <select id="audit-size" value={limit} onChange={(e) => setLimit(Number((e.target as HTMLSelectElement).value))}>
            {SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
        <button type="button" class="secondary" onClick={first.reload}>{t("admAuditRefresh")}</button>
      </div>
      <Guarded resource={first} need="audit">
        {({ page, names: named }) => <Log first={page} names={named} asked={asked} />}
      </Guarded>
    </section>
  );
}

// Members by e-mail and keys by name, so the log says who rather than an id. Either may
// be refused (an auditor who may not manage): the log stands without them.
async function actorNames(api: Api, t: Translate): Promise<Map<string, string>> {
  const [members, keys] = await Promise.all([
    api.get<{ members: { userId: string; email: string }[] }>("/v1/members").catch(() => ({ members: [] })),
    api.get<{ apiKeys: { keyId: string; name: string }[] }>("/v1/api-keys").catch(() => ({ apiKeys: [] })),
  ]);
  return new Map([
    ...members.members.map((m) => [`user:${m.userId}`, m.email] as [string, string]),
    ...keys.apiKeys.map((k) => [`key:${k.keyId}`, t("admActorKeyNamed", { name: k.name })] as [string, string]),
  ]);
}

function Log({ first, names, asked }: { first: Page; names: Map<string, string>; asked: string }) {
  const { t, api } = useSession();
  const [entries, setEntries] = useState(first.entries);
  const [cursor, setCursor] = useState(first.cursor);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { setEntries(first.entries); setCursor(first.cursor); }, [first]);
  const more = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await api.get<Page>(`/v1/audit${asked}&cursor=${encodeURIComponent(cursor ?? "")}`);
      setEntries((shownSoFar) => [...shownSoFar, ...next.entries]);
      setCursor(next.cursor);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  if (entries.length === 0) return <Empty><p>{t("admAuditEmpty")}</p></Empty>;
  return (
    <>
      <ol class="audit" data-testid="audit-log">
        {entries.map((entry) => <Entry key={entry.entryId} entry={entry} names={names} />)}
      </ol>
      {error ? <p role="alert" class="error">{errorText(error, t)}</p> : null}
      <p class="hint" role="status">{t("admAuditCount", { count: entries.length })}</p>
      {cursor && <button type="button" class="secondary" data-testid="audit-more" disabled={busy} onClick={more}>{busy ? t("loadingPage") : t("admAuditMore")}</button>}
    </>
  );
}

function Entry({ entry, names }: { entry: AuditEntry; names: Map<string, string> }) {
  const { t, language } = useSession();
  const found = changes(entry.before, entry.after);
  const kind = kindOf(entry);
  const action = ACTIONS[entry.action];
  const named = names.get(`user:${entry.target}`) ?? names.get(`key:${entry.target}`);
  return (
    <li class="card entry" data-action={entry.action}>
      <div class="entry-head">
        <strong>{action ? t(action) : entry.action}</strong>
        <span class="hint"><time dateTime={new Date(entry.at).toISOString()}>{dateTime(entry.at, language)}</time></span>
      </div>
      <p class="who">
        {t("admAuditBy", { who: actorText(entry.actor, names, t) })}
        {" · "}{named ? <span class="target">{named}</span> : <code class="target">{entry.target}</code>}
      </p>
      {found.length > 0 && <ChangeList changes={found.slice(0, SHOWN_CHANGES)} kind={kind} names={names} />}
      {found.length > SHOWN_CHANGES && (
        <details>
          <summary>{t("admAuditAllChanges", { count: found.length })}</summary>
          <ChangeList changes={found.slice(SHOWN_CHANGES)} kind={kind} names={names} />
        </details>
      )}
    </li>
  );
}

function ChangeList({ changes: list, kind, names }: { changes: Change[]; kind: "created" | "removed" | "changed"; names: Map<string, string> }) {
  const { t, language } = useSession();
  // A value that names someone ("user:…", "key:…", as createdBy does) says who.
  const value = (field: string, v: unknown) => typeof v === "string" && /^(user|key):/.test(v)
    ? actorText(v, names, t)
    : shown(field, v, (ms) => dateTime(ms, language), (b) => (b ? t("yes") : t("no")));
  return (
    <dl class="changes">
      {list.map((c) => (
        <div key={c.field} class="change">
          <dt>{c.field || t("admAuditValue")}</dt>
          <dd>
            {kind === "changed" && "before" in c && "after" in c ? (
              <><del>{value(c.field, c.before)}</del> <span aria-hidden="true">→</span><span class="visually-hidden">{t("admAuditBecame")}</span> <ins>{value(c.field, c.after)}</ins></>
            ) : kind === "changed" ? (
              "after" in c ? <ins>{value(c.field, c.after)}</ins> : <del>{value(c.field, c.before)}</del>
            ) : value(c.field, "after" in c ? c.after : c.before)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
