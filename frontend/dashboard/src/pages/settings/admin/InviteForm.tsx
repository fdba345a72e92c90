// Inviting a colleague by e-mail with a role. A new address is e-mailed a temporary
// password; an address with a sign-in of its own joins at its next sign-in.
import { useState } from "preact/hooks";
import { useSession } from "../../../session";
import { inviteErrorKey } from "./invite";
import { ROLES, adminError, roleName } from "./shared";

export function InviteForm({ onInvited }: { onInvited: () => Promise<void> }) {
  const { t, api, membership } = useSession();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("analyst");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<{ email: string; emailed?: boolean } | null>(null);
  // Only an owner makes another owner (members.py): the others are not offered it.
  const roles = ROLES.filter((r) => r !== "owner" || membership.role === "owner");

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      const { body } = await api.send<{ email: string; emailed?: boolean }>("POST", "/v1/invitations", { email: email.trim(), role });
      setSent(body);
      setEmail("");
      await onInvited();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card inline-form" onSubmit={submit} data-testid="invite-form">
      <div class="field">
        <label for="invite-email">{t("admInviteEmail")}</label>
        <input id="invite-email" type="email" required autoComplete="off" value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="invite-role">{t("admRole")}</label>
        <select id="invite-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          {roles.map((r) => <option key={r} value={r}>{roleName(r, t)}</option>)}
        </select>
      </div>
      <div class="field submit">
        <button type="submit" disabled={busy}>{busy ? t("saving") : t("admInvite")}</button>
      </div>
      <div class="outcome">
        {error ? <p role="alert" class="error">{inviteErrorKey(error) ? t(inviteErrorKey(error)!) : adminError(error, t, role === "owner")}</p> : null}
        <p role="status" class="ok">
          {sent ? t(sent.emailed === false ? "admInvitedExisting" : "admInvitedNew", { email: sent.email }) : ""}
        </p>
      </div>
    </form>
  );
}
