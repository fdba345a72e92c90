// The loading, failed and empty states every page shows, and the page frame.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../api";
import { useTexts } from "../session";
import type { Translate } from "../i18n";
import type { Resource } from "./resource";

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Ringback`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" ref={heading} tabIndex={-1}>{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("forbidden");
    if (error.status === 412) return t("conflict");
    if (error.status === 401) return t("signedOut");
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTexts();
  return <p role="status" class="state loading"><span class="spinner" aria-hidden="true" />{label ?? t("loadingPage")}</p>;
}

export function Failed({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTexts();
  return (
    <div role="alert" class="state failed">
      <p>{t("loadFailed", { message: errorText(error, t) })}</p>
      {onRetry && <button type="button" class="secondary" onClick={onRetry}>{t("retry")}</button>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

// Renders a resource's loading and failed states, and its value with `children` when ready.
export function Loaded<T>({ resource, children }: { resource: Resource<T>; children: (value: T) => ComponentChildren }) {
  if (resource.state === "loading") return <Loading />;
  if (resource.state === "failed") return <Failed error={resource.error} onRetry={resource.reload} />;
  return <>{children(resource.value)}</>;
}

// What a form shows after a save: the error in words, or that it was saved.
export function Outcome({ error, saved }: { error?: unknown; saved?: boolean }) {
  const { t } = useTexts();
  if (error) return <p role="alert" class="error">{errorText(error, t)}</p>;
  if (saved) return <p role="status" class="ok">{t("saved")}</p>;
  return null;
}
