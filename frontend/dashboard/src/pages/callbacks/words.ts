// A callback's statuses, results and moments in the reader's language. A code the
// dashboard does not know yet (a newer API) is shown as it came, never as a blank.
import type { Language, TextKey, Translate } from "../../i18n";
import { en } from "../../i18n/callbacks";
import { duration, locale, phone } from "../../ui/format";
import { type CallbackOutcome, type Moment, pageOf } from "./model";

function known(key: string): key is TextKey {
  return key in en;
}

function say(prefix: string, code: string | null | undefined, t: Translate): string {
  if (!code) return "";
  const key = prefix + code.replace(/-/g, "_");
  return known(key) ? t(key) : code.replace(/_/g, " ");
}

export const statusText = (status: string, t: Translate) => say("cbSt_", status, t);
export const resultText = (result: string | null | undefined, t: Translate) => say("cbRes_", result, t);
export const legStatusText = (status: string, t: Translate) => say("cbLeg_", status, t);

export function outcomeText(outcome: CallbackOutcome, t: Translate): string {
  const parts = [resultText(outcome.result, t)];
  if (outcome.talk_seconds) parts.push(t("cbTalked", { duration: duration(outcome.talk_seconds) }));
  return parts.filter(Boolean).join(", ");
}

// Who a retry was asked by ("user:<sub>"): "you", their e-mail, or the API key.
export function actorText(by: string | undefined, me: string | undefined, emails: Record<string, string>, t: Translate): string {
  if (!by) return "";
  const [kind, id] = by.split(":", 2);
  if (kind === "user" && id === me) return t("cbYou");
  if (kind === "user" && emails[id]) return emails[id];
  return by;
}

export function momentText(moment: Moment, t: Translate, time: (ms: number) => string, who: (by?: string) => string): string {
  if (moment.kind === "answered" && moment.leg) {
    return moment.leg.role === "operator"
      ? t("cbTlAnsweredOperator", { number: phone(moment.leg.number) })
      : t("cbTlAnsweredVisitor");
  }
  const step = moment.transition!;
  switch (step.status) {
    case "accepted":
      if (step.reason === "manual_retry") return t("cbTlRetry", { who: who(step.by), attempt: step.attempt ?? "" });
      return step.page ? t("cbTlReceivedOn", { page: pageOf(step.page) ?? step.page }) : t("cbTlReceived");
    case "scheduled":
      return t("cbTlScheduled", { time: step.at_time ? time(step.at_time) : "" });
    case "calling_operator":
      return t("cbTlCallingOperator", { round: step.round ?? "" });
    case "calling_visitor":
      return t("cbTlCallingVisitor", { round: step.round ?? "" });
    case "connected":
      return t("cbTlConnected");
    case "retry_scheduled":
      return step.after
        ? t("cbTlRetryScheduled", { time: step.at_time ? time(step.at_time) : "", after: resultText(step.after, t) })
        : t("cbTlRetryScheduledPlain", { time: step.at_time ? time(step.at_time) : "" });
    case "completed":
      return t("cbTlCompleted");
    default:
      return step.reason
        ? t("cbTlEnded", { status: statusText(step.status, t), reason: resultText(step.reason, t) })
        : statusText(step.status, t);
  }
}

// A moment of one call's dialling: the time with seconds, the day only when it is not today.
export function clock(ms: number, language: Language, now = Date.now()): string {
  const at = new Date(ms);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay
    ? at.toLocaleTimeString(locale(language), { timeStyle: "medium" })
    : at.toLocaleString(locale(language), { dateStyle: "medium", timeStyle: "medium" });
}
