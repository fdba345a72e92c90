// What the wizard reads from the API, and where a customer stands in it. Progress is
// derived from the account itself (a site, its numbers, its calls), so a returning
// customer lands where they left off on any device.
import type { Call } from "../../api";
// The API's site and tracking number, as the settings pages know them.
import type { Site, TrackingNumber } from "../settings/sites/model";

export type { Site, TrackingNumber };

export interface Check {
  check: "reachable" | "snippet" | "site_key" | "domain";
  ok: boolean;
  message: string;
}

export interface InstallResult {
  url: string;
  installed: boolean;
  checks: Check[];
}

export interface SizingAdvice {
  dailyVisitors: number;
  leaseSeconds: number;
  arrivalsPerHour: number;
  meanHoldSeconds: number;
  offeredLoadErlangs: number;
  targetSharedProbability: number;
  sizeForTarget: number;
  targetAccuracy: number;
  sizeForAccuracy: number | null;
  recommendedSize: number;
  blockingProbability: number;
  expectedAccuracy: number;
}

export interface AvailableNumber {
  number: string;
  locality: string | null;
  region: string | null;
  country: string;
}

export const STEPS = ["site", "snippet", "install", "numbers", "call"] as const;
export type Step = (typeof STEPS)[number];

export function isStep(value: string | undefined): value is Step {
  return (STEPS as readonly string[]).includes(value ?? "");
}

export interface Progress {
  site: boolean;
  // The install check passed in this browser, or a call was matched to a visit the
  // snippet recorded (the script ran on the customer's page). The API keeps no check.
  installed: boolean;
  numbers: boolean;
  call: boolean;
}

export function progressOf(site: Site | null, numbers: TrackingNumber[], calls: Call[], checkedOk: boolean): Progress {
  const ours = site ? calls.filter((c) => c.site_id === site.siteId) : [];
  return {
    site: site !== null,
    installed: site !== null && (checkedOk || ours.some((c) => Boolean(c.attribution?.session_id))),
    numbers: numbers.length > 0,
    call: ours.length > 0,
  };
}

// Where a customer who opens the wizard should be: the first thing not yet done.
export function landingStep(progress: Progress): Step {
  if (!progress.site) return "site";
  if (!progress.numbers) return progress.installed ? "numbers" : "install";
  return "call";
}

export function stepDone(step: Step, progress: Progress): boolean {
  switch (step) {
    case "site": return progress.site;
    case "snippet": return progress.installed;
    case "install": return progress.installed;
    case "numbers": return progress.numbers;
    case "call": return progress.call;
  }
}

// The newest call to the site: the one the last step shows as "your call arrived".
export function latestCall(site: Site, calls: Call[]): Call | null {
  return calls.filter((c) => c.site_id === site.siteId).sort((a, b) => b.started_at - a.started_at)[0] ?? null;
}

// "example.com, www.example.com" (or one a line) as the API's list of domains.
export function domainsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean))];
}

// The visitors a number is shown to, as the API's rule: everyone, or one utm_source.
export function ruleOf(audience: "all" | "source", source: string): Record<string, string[]> {
  const value = source.trim().toLowerCase();
  return audience === "source" && value ? { utm_source: [value] } : {};
}

// A page address from what a customer types: "example.com/contact" works too.
export function pageUrl(text: string): string {
  const value = text.trim();
  return /^https?:\/\//i.test(value) ? value : `https://${value}`;
}

// An install check's answers in the order a customer fixes them.
const ORDER: Check["check"][] = ["reachable", "domain", "snippet", "site_key"];

export function orderedChecks(result: InstallResult): Check[] {
  return [...result.checks].sort((a, b) => ORDER.indexOf(a.check) - ORDER.indexOf(b.check));
}

// Purchases of more than the API takes at once (20) go in batches: the pool is created
// with the first, then grown.
export function batches(count: number, size = 20): number[] {
  const out: number[] = [];
  for (let left = Math.max(0, Math.floor(count)); left > 0; left -= size) out.push(Math.min(size, left));
  return out;
}

// A phone number that a narrow screen does not break inside ("+1 206-555-0100").
export function unbroken(text: string): string {
  return text.replace(/-/g, "\u2011").replace(/ /g, "\u00a0");
}
