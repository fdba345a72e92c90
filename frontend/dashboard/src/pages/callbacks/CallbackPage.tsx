// One callback request: what it is and how it ended, what the operator heard, the
// recording, each round with its legs, the timeline; and "Retry now" for a missed or
// failed one, whose new round appears here as it is rung (the page follows the request).
import { useRoute } from "preact-iso";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../api";
import { useSession } from "../../session";
import { dateTime, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Loaded, Outcome, Page } from "../../ui/states";
import {
  type CallbackRequest, idempotencyKey, isFinal, pageOf, requestPage, retryable, sourceOf, timelineOf, toneOf,
} from "./model";
import { Recordings } from "./Recordings";
import { Rounds } from "./Rounds";
import { actorText, clock, momentText, outcomeText, statusText } from "./words";
import "./callbacks.css";

const POLL_MS = 3000;

export default function CallbackPage() {
  const { t } = useSession();
  const { params } = useRoute();
  const id = params.id ?? "";
  const detail = useResource((api) => api.get<CallbackRequest>(`/v1/callback-requests/${encodeURIComponent(id)}`), [id], POLL_MS);
  // A narrow screen wraps the title between words, never inside the number.
  const title = detail.state === "ready"
    ? t("cbDetailTitle", { phone: phone(detail.value.phone).replace(/-/g, "\u2011").replace(/ /g, "\u00a0") })
    : t("callbacksTitle");
  return (
    <Page title={title} actions={<a href="/app/callbacks">{t("cbBackToList")}</a>}>
      <Loaded resource={detail}>{(request) => <Detail request={request} />}</Loaded>
    </Page>
  );
}

function Detail({ request }: { request: CallbackRequest }) {
  const { t, language, me } = useSession();
  const members = useResource((api) => api.get<{ members: { userId: string; email: string }[] }>("/v1/members")
    .catch(() => ({ members: [] })), []);
  const emails = Object.fromEntries((members.state === "ready" ? members.value.members : []).map((m) => [m.userId, m.email]));
  const who = (by?: string) => actorText(by, me.user?.userId, emails, t);
  const page = requestPage(request);
  const source = sourceOf(request.attribution ?? {});
  const outcome = outcomeText(request.outcome ?? {}, t);

  return (
    <div class="cb-detail">
      <section class="card" aria-labelledby="cb-summary">
        <h2 id="cb-summary">{t("cbSummary")}</h2>
        <dl class="facts">
          <dt>{t("cbStatus")}</dt>
          <dd><span class={`tag ${toneOf(request.status)}`} data-status={request.status}>{statusText(request.status, t)}</span></dd>
          {outcome && <><dt>{t("cbOutcome")}</dt><dd data-outcome>{outcome}</dd></>}
          <dt>{t("cbVisitor")}</dt><dd>{phone(request.phone)}</dd>
          <dt>{t("cbRequested")}</dt><dd>{dateTime(request.created_at, language)}</dd>
          {page && <><dt>{t("cbPage")}</dt><dd class="cb-page"><a href={page} target="_blank" rel="noopener noreferrer">{pageOf(page)}</a></dd></>}
          <dt>{t("cbSource")}</dt><dd>{source ?? t("cbNoSource")}</dd>
          {request.attribution?.keyword && <><dt>{t("cbKeyword")}</dt><dd>{request.attribution.keyword}</dd></>}
          {request.attribution?.region && <><dt>{t("cbRegion")}</dt><dd>{request.attribution.region}</dd></>}
          {request.status === "scheduled" && request.scheduled_for && (
            <><dt>{t("cbScheduledFor")}</dt><dd>{dateTime(request.scheduled_for, language)}</dd></>
          )}
          {request.status === "retry_scheduled" && request.retry_at && (
            <><dt>{t("cbRetryAt")}</dt><dd>{clock(request.retry_at, language)}</dd></>
          )}
          {(request.retries?.length ?? 0) > 0 && <><dt>{t("cbRetriesMade")}</dt><dd>{request.retries!.length}</dd></>}
        </dl>
        <RetryNow request={request} />
      </section>
      {request.whisper && (
        <section class="card" aria-labelledby="cb-whisper">
          <h2 id="cb-whisper">{t("cbWhisperTitle")}</h2>
          <blockquote class="cb-whisper" lang="en">{request.whisper}</blockquote>
        </section>
      )}
      <section class="card" aria-labelledby="cb-recording">
        <h2 id="cb-recording">{t("cbRecordingTitle")}</h2>
        <Recordings request={request} />
      </section>
      <section class="card" aria-labelledby="cb-rounds">
        <h2 id="cb-rounds">{t("cbRoundsTitle")}</h2>
        <Rounds request={request} />
      </section>
      <section class="card" aria-labelledby="cb-timeline">
        <h2 id="cb-timeline">{t("cbTimelineTitle")}</h2>
        <ol class="cb-timeline">
          {timelineOf(request).map((moment, i) => (
            <li key={`${moment.at}-${i}`} class={moment.kind === "answered" ? "answered" : moment.transition?.status}>
              <time dateTime={new Date(moment.at).toISOString()}>{clock(moment.at, language)}</time>
              <span>{momentText(moment, t, (ms) => clock(ms, language), who)}</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function RetryNow({ request }: { request: CallbackRequest }) {
  const { api, t, can } = useSession();
  // One key per press: pressed again after a lost answer, it dials once.
  const key = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The retries the request had when a press was answered: until the page reads one more
  // and the new attempt has ended, it is being dialled (the button would be refused).
  const [pressedAt, setPressedAt] = useState<number | null>(null);
  const retries = request.retries?.length ?? 0;
  const pending = pressedAt !== null && (retries <= pressedAt || !isFinal(request.status));
  const said = useRef<HTMLParagraphElement>(null);
  // The pressed button goes away: the keyboard's place moves to what happened instead.
  useEffect(() => { if (pending) said.current?.focus(); }, [pending]);
  if (!can("write")) return null;
  if (pending) return <p role="status" class="ok cb-retried" tabIndex={-1} ref={said}>{t("cbRetried")}</p>;
  if (!retryable(request)) return null;

  const retry = async () => {
    key.current ??= idempotencyKey();
    setBusy(true);
    setError(null);
    try {
      await api.send("POST", `/v1/callback-requests/${encodeURIComponent(request.request_id)}/retry`, undefined,
        { headers: { "Idempotency-Key": key.current } });
      key.current = null;
      setPressedAt(retries);
    } catch (caught) {
      if (caught instanceof ApiError) key.current = null; // answered: the next press is a new retry
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="cb-retry">
      <button type="button" onClick={retry} disabled={busy}>{busy ? t("cbRetrying") : t("cbRetryNow")}</button>
      <p class="hint">{t("cbRetryHint")}</p>
      <Outcome error={error} />
    </div>
  );
}
