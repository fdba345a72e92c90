// Who works in the account and what each may do: members and their roles, invitations
// sent and not yet taken. An account always keeps an owner (the API refuses otherwise,
// and the page says so in the row concerned).
import { useState } from "preact/hooks";
import type { TextKey } from "../../../i18n";
import { useSession } from "../../../session";
import { dateTime, day } from "../../../ui/format";
import { ConfirmButton, Guarded, ROLES, actorText, adminError, roleName, useVersioned } from "./shared";
import { InviteForm } from "./InviteForm";

export interface Member { userId: string; email: string; role: string; createdAt: number }
export interface Invitation { invitationId: string; email: string; role: string; invitedBy: string; createdAt: number; expiresAt: number }

export default function TeamSection(_: { rest: string }) {
  const { t } = useSession();
  const team = useVersioned((api) => api.request<{ members: Member[]; invitations: Invitation[] }>("GET", "/v1/members"));
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h2 id="admin-title">{t("settingsTeam")}</h2>
      <RolesExplained />
      <Guarded resource={team} need="manage">
        {({ body }) => <Team members={body.members} invitations={body.invitations} reload={team.refresh} />}
      </Guarded>
    </section>
  );
}

// What each role may do: ringback.accounts.tenants.ROLE_PERMISSIONS, in words.
const ROLE_WHAT: Record<(typeof ROLES)[number], TextKey> = {
  owner: "admRoleWhatOwner", admin: "admRoleWhatAdmin", analyst: "admRoleWhatAnalyst", billing: "admRoleWhatBilling",
};

function RolesExplained() {
  const { t } = useSession();
  return (
    <details class="card roles">
      <summary>{t("admRolesTitle")}</summary>
      <dl class="facts">
        {ROLES.map((role) => (
          <>
            <dt key={`${role}-dt`}>{roleName(role, t)}</dt>
            <dd key={`${role}-dd`}>{t(ROLE_WHAT[role])}</dd>
          </>
        ))}
      </dl>
    </details>
  );
}

function Team({ members, invitations, reload }: { members: Member[]; invitations: Invitation[]; reload: () => Promise<void> }) {
  const { t, language, me, api, can, refresh } = useSession();
  const names = new Map(members.map((m) => [`user:${m.userId}`, m.email]));
  const manage = can("manage");
  const now = Date.now();
  return (
    <>
      <h3>{t("admMembers", { count: members.length })}</h3>
      <div class="scroll">
        <table class="stack members">
          <thead><tr>
            <th scope="col">{t("admEmail")}</th><th scope="col">{t("admRole")}</th>
            <th scope="col">{t("admJoined")}</th><th scope="col"><span class="visually-hidden">{t("admActions")}</span></th>
          </tr></thead>
          <tbody>
            {members.map((m) => {
              const self = m.userId === me.user?.userId;
              return (
                <tr key={m.userId} data-member={m.email}>
                  <td data-label={t("admEmail")}>{m.email}{self && <span class="tag">{t("admYou")}</span>}</td>
                  <td data-label={t("admRole")}>
                    {manage ? <RoleChanger member={m} onChanged={async () => { await reload(); if (self) refresh(); }} /> : roleName(m.role, t)}
                  </td>
                  <td data-label={t("admJoined")}>{m.createdAt ? day(m.createdAt, language) : "–"}</td>
                  <td data-label={t("admActions")}>
                    {(manage || self) && (
                      <ConfirmButton label={self ? t("admLeave") : t("admRemove")} testId={`remove-${m.email}`}
                        question={self ? t("admLeaveQuestion") : t("admRemoveQuestion", { email: m.email })}
                        confirm={self ? t("admLeave") : t("admRemove")} ownerInvolved={m.role === "owner"}
                        onConfirm={async () => {
                          await api.send("DELETE", `/v1/members/${self ? "me" : encodeURIComponent(m.userId)}`);
                          if (self) refresh(); else await reload();
                        }} />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <h3>{t("admInvitations")}</h3>
      {manage && <InviteForm onInvited={reload} />}
      {invitations.length === 0 ? <p class="hint">{t("admInvitationsNone")}</p> : (
        <div class="scroll">
          <table class="stack invitations">
            <thead><tr>
              <th scope="col">{t("admEmail")}</th><th scope="col">{t("admRole")}</th><th scope="col">{t("admInvitedBy")}</th>
              <th scope="col">{t("admExpires")}</th><th scope="col"><span class="visually-hidden">{t("admActions")}</span></th>
            </tr></thead>
            <tbody>
              {invitations.map((i) => (
                <tr key={i.invitationId} data-invitation={i.email}>
                  <td data-label={t("admEmail")}>{i.email}</td>
                  <td data-label={t("admRole")}>{roleName(i.role, t)}</td>
                  <td data-label={t("admInvitedBy")}>{actorText(i.invitedBy, names, t)}<span class="hint block">{dateTime(i.createdAt, language)}</span></td>
                  <td data-label={t("admExpires")}>
                    {i.expiresAt < now ? <span class="tag warn">{t("admExpired")}</span> : day(i.expiresAt, language)}
                  </td>
                  <td data-label={t("admActions")}>
                    {manage && (
                      <ConfirmButton label={t("admCancelInvitation")} question={t("admCancelInvitationQuestion", { email: i.email })}
                        confirm={t("admCancelInvitation")}
                        onConfirm={async () => { await api.send("DELETE", `/v1/invitations/${encodeURIComponent(i.invitationId)}`); await reload(); }} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function RoleChanger({ member, onChanged }: { member: Member; onChanged: () => Promise<void> }) {
  const { t, api, membership } = useSession();
  const [role, setRole] = useState(member.role);
  const [busy, setBusy] = useState(false);
  // The refusal, and whether the change touched an owner (only owners make or unmake one).
  const [error, setError] = useState<{ error: unknown; owner: boolean } | null>(null);
  const id = `role-${member.userId}`;
  const change = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.send("PATCH", `/v1/members/${encodeURIComponent(member.userId)}`, { role });
      await onChanged();
    } catch (caught) {
      setError({ error: caught, owner: role === "owner" || member.role === "owner" });
      setRole(member.role);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="role-changer">
      <label class="visually-hidden" for={id}>{t("admRoleOf", { email: member.email })}</label>
      <select id={id} value={role} onChange={(e) => { setError(null); setRole((e.target as HTMLSelectElement).value); }}>
        {ROLES.filter((r) => r !== "owner" || membership.role === "owner" || member.role === "owner").map((r) => (
          <option key={r} value={r}>{roleName(r, t)}</option>
        ))}
      </select>
      {role !== member.role && (
        <>
          <button type="button" disabled={busy} onClick={change}>{busy ? t("saving") : t("admChangeRole")}</button>
          <button type="button" class="secondary" onClick={() => setRole(member.role)}>{t("cancel")}</button>
        </>
      )}
      {error ? <p role="alert" class="error">{adminError(error.error, t, error.owner)}</p> : null}
    </div>
  );
}
