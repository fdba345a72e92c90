// What the admin sections share: a resource read with its ETag and refreshed without a
// flash, a refusal explained by role, a confirmation in place of the button it guards,
// and a secret the API shows only once.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type Answer, type Api, ApiError } from "../../../api";
import type { TextKey } from "../../../i18n";
import { type Permission, useSession } from "../../../session";
import type { Resource } from "../../../ui/resource";
import { Failed, Loading, errorText } from "../../../ui/states";
import "./admin.css";

export type Versioned<T> = Resource<Answer<T>> & { refresh: () => Promise<void> };

// Like useResource, but keeps the ETag, and refresh() re-reads without showing "loading"
// again, so what the user has open (a form, a secret just shown) stays where it is.
export function useVersioned<T>(load: (api: Api) => Promise<Answer<T>>, deps: unknown[] = []): Versioned<T> {
  const { api, tenant } = useSession();
  const [state, setState] = useState<{ state: "loading" } | { state: "failed"; error: Error } | { state: "ready"; value: Answer<T> }>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const current = useRef(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    const run = ++current.current;
    setState({ state: "loading" });
    loadRef.current(api).then(
      (value) => { if (run === current.current) setState({ state: "ready", value }); },
      (error: Error) => { if (run === current.current) setState({ state: "failed", error }); },
    );
    return () => { current.current++; };
  }, [api, tenant, generation, ...deps]);

  const refresh = useCallback(async () => {
    const run = current.current;
    try {
      const value = await loadRef.current(api);
      if (run === current.current) setState({ state: "ready", value });
    } catch (error) {
      if (run === current.current) setState({ state: "failed", error: error as Error });
    }
  }, [api]);

  const resource = state.state === "ready" ? { ...state, refreshing: false } : state;
  return { ...resource, reload, refresh } as Versioned<T>;
}

// The roles of ringback.accounts.tenants.ROLE_PERMISSIONS, most powerful first.
export const ROLES = ["owner", "admin", "analyst", "billing"] as const;

const NEEDS: Record<Permission, TextKey> = {
  read: "admNeedRead", write: "admNeedWrite", manage: "admNeedManage", billing: "admNeedBilling", audit: "admNeedAudit",
};

export function roleName(role: string, t: (key: TextKey) => string): string {
  const key = ({ owner: "admRoleOwner", admin: "admRoleAdmin", analyst: "admRoleAnalyst", billing: "admRoleBilling" } as Record<string, TextKey>)[role];
  return key ? t(key) : role;
}

// A refusal in words: which role the user has and who may do this instead.
export function Refused({ need }: { need: Permission }) {
  const { t, membership } = useSession();
  return (
    <div role="alert" class="state failed" data-testid="refused">
      <p>{t(NEEDS[need], { role: roleName(membership.role, t) })}</p>
    </div>
  );
}

// <Loaded> with a 403 explained by role rather than as a bare error.
export function Guarded<T>({ resource, need, children }: { resource: Resource<T>; need: Permission; children: (value: T) => ComponentChildren }) {
  if (resource.state === "loading") return <Loading />;
  if (resource.state === "failed") {
    if (resource.error instanceof ApiError && resource.error.status === 403) return <Refused need={need} />;
    return <Failed error={resource.error} onRetry={resource.reload} />;
  }
  return <>{children(resource.value)}</>;
}

// A destructive action's button; pressed, it becomes the question and two answers in
// its place (no modal to trap focus in), Escape or Cancel puts the button back.
export function ConfirmButton({ label, question, confirm, onConfirm, testId, disabled, ownerInvolved, tone = "danger" }: {
  label: string; question: string; confirm: string; onConfirm: () => Promise<unknown>; testId?: string; disabled?: boolean;
  ownerInvolved?: boolean;
  // A change that is weighty but destroys nothing (making an agency) asks without alarm.
  tone?: "danger" | "secondary";
}) {
  const { t } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) cancel.current?.focus();
    else if (wasOpen.current) trigger.current?.focus();
    wasOpen.current = open;
  }, [open]);
  if (!open) {
    return <button type="button" class={tone} ref={trigger} disabled={disabled} data-testid={testId} onClick={() => { setError(null); setOpen(true); }}>{label}</button>;
  }
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={`confirm ${tone}`} role="group" aria-label={question} onKeyDown={(e) => { if (e.key === "Escape") setOpen(false); }}>
      <p>{question}</p>
      {error ? <p role="alert" class="error">{adminError(error, t, ownerInvolved)}</p> : null}
      <div class="actions">
        <button type="button" class={tone === "danger" ? "danger" : ""} disabled={busy} onClick={go}>{busy ? t("saving") : confirm}</button>
        <button type="button" class="secondary" ref={cancel} onClick={() => setOpen(false)}>{t("cancel")}</button>
      </div>
    </div>
  );
}

// Copies a text; where the browser refuses the clipboard, says to copy it by hand.
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useSession();
  const [done, setDone] = useState<"copied" | "refused" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("copied");
    } catch {
      setDone("refused");
    }
  };
  return (
    <>
      <button type="button" class="secondary" onClick={copy}>{label ?? t("copy")}</button>
      <span role="status" class={done === "refused" ? "hint error" : "hint ok"}>
        {done === "copied" ? t("copied") : done === "refused" ? t("admCopyRefused") : ""}
      </span>
    </>
  );
}

// A secret the API returns once (a webhook's signing secret, an API key): shown with a
// copy button and the warning that it will not be shown again, until dismissed.
export function SecretOnce({ title, secret, warning, onDone, testId }: {
  title: string; secret: string; warning: string; onDone: () => void; testId?: string;
}) {
  const { t } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, [secret]);
  return (
    <div class="secret-once" data-testid={testId}>
      <h3 ref={heading} tabIndex={-1}>{title}</h3>
      <p class="warning">{warning}</p>
      <code class="secret" data-testid="secret-value">{secret}</code>
      <div class="actions">
        <CopyButton text={secret} />
        <button type="button" class="secondary" onClick={onDone}>{t("admSecretSaved")}</button>
      </div>
    </div>
  );
}

// The refusals these sections meet, in the user's language; anything else as errorText.
const CODES: Record<string, TextKey> = {
  last_owner: "admErrLastOwner",
  already_member: "admErrAlreadyMember",
  invalid_email: "admErrInvalidEmail",
  too_many_keys: "admErrTooManyKeys",
  too_many_webhooks: "admErrTooManyWebhooks",
  invalid_webhook_url: "admErrInvalidWebhookUrl",
  // A switch to Standard Webhooks on a secret made before them (webhook_endpoints.py _check_scheme).
  secret_rotation_required: "admErrSecretRotationRequired",
  agency_has_clients: "admErrAgencyHasClients",
  client_cannot_be_agency: "admErrClientCannotBeAgency",
  not_an_agency: "admErrNotAnAgency",
};

export function adminError(error: unknown, t: (key: TextKey) => string, ownerInvolved = false): string {
  if (error instanceof ApiError) {
    if (error.code === "role_forbidden" && ownerInvolved) return t("admErrOnlyOwnerOwners");
    const key = CODES[error.code];
    if (key) return t(key);
  }
  return errorText(error, t as Parameters<typeof errorText>[1]);
}

// Who an audit entry, an invitation or a key names ("user:<sub>", "key:<id>") in words.
export function actorText(actor: string | null | undefined, names: Map<string, string>, t: (key: TextKey, values?: Record<string, string>) => string): string {
  if (!actor) return "–";
  const named = names.get(actor);
  if (named) return named;
  if (actor.startsWith("key:")) return t("admActorKey", { id: actor.slice(4) });
  if (actor.startsWith("user:")) return t("admActorUser", { id: actor.slice(5, 13) });
  return actor;
}
