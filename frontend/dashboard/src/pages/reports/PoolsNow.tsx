// Each pool as it is now (GET /v1/pools/{id}/health): how busy its numbers are, how often
// visitors share one, and the size the Erlang-B model advises.
import { useState } from "preact/hooks";
import type { Language, Translate } from "../../i18n";
import { useSession } from "../../session";
import { useResource } from "../../ui/resource";
import { Empty, Loaded } from "../../ui/states";
import { percent } from "./cells";

export interface PoolSummary {
  poolId: string;
  siteId: string;
  name: string;
  numbers: number;
}

export interface PoolHealth {
  pool_id: string;
  size: number;
  leases: number;
  utilisation: number;
  peak_concurrent: number;
  overflow_count: number;
  shared_leases: number;
  blocking_probability: number;
  target_shared_probability?: number;
  recommended_size: number;
  target_accuracy?: number;
  expected_accuracy?: number;
  size_for_accuracy?: number | null;
}

const WINDOWS = [["24", "repHours24"], ["168", "repHours168"], ["744", "repHours744"]] as const;

// What to do about a pool's size, in words.
export function advice(health: PoolHealth, t: Translate, language: Language): string[] {
  const lines: string[] = [];
  const pct = (share: number) => percent(share * 100, language);
  if (health.recommended_size > health.size) {
    lines.push(t("repPoolGrow", { count: health.recommended_size - health.size, pct: pct(health.blocking_probability) }));
  } else if (Math.max(health.recommended_size, health.peak_concurrent) < health.size && health.leases > 0) {
    // Never advise fewer numbers than were once in use together.
    lines.push(t("repPoolShrink", { size: Math.max(health.recommended_size, health.peak_concurrent) }));
  } else {
    lines.push(t("repPoolFits"));
  }
  if (health.target_accuracy !== undefined && health.expected_accuracy !== undefined && health.expected_accuracy < health.target_accuracy) {
    lines.push(health.size_for_accuracy
      ? t("repPoolForAccuracy", { target: pct(health.target_accuracy), size: health.size_for_accuracy })
      : t("repPoolNoAccuracy", { target: pct(health.target_accuracy) }));
  }
  return lines;
}

export function PoolsNow({ pools }: { pools: PoolSummary[] }) {
  const { t } = useSession();
  const [hours, setHours] = useState("24");
  const health = useResource(
    (api) => Promise.all(pools.map((p) => api.get<PoolHealth>(`/v1/pools/${encodeURIComponent(p.poolId)}/health?hours=${hours}`))),
    [hours, pools.map((p) => p.poolId).join(",")],
  );
  return (
    <section aria-labelledby="rep-pools-now">
      <div class="rep-section-head">
        <h2 id="rep-pools-now">{t("repPoolsNow")}</h2>
        <label class="inline">
          <span>{t("repPoolsWindow")}</span>
          <select value={hours} onChange={(e) => setHours((e.target as HTMLSelectElement).value)}>
            {WINDOWS.map(([value, key]) => <option key={value} value={value}>{t(key)}</option>)}
          </select>
        </label>
      </div>
      {pools.length === 0 ? <Empty><p>{t("repNoPools")}</p></Empty> : (
        <Loaded resource={health}>
          {(list) => (
            <div class="rep-pools">
              {list.map((h, i) => <PoolCard key={h.pool_id} name={pools[i]?.name ?? h.pool_id} health={h} />)}
            </div>
          )}
        </Loaded>
      )}
    </section>
  );
}

function PoolCard({ name, health }: { name: string; health: PoolHealth }) {
  const { t, language } = useSession();
  const pct = (share: number) => percent(share * 100, language);
  const grow = health.recommended_size > health.size;
  return (
    <article class="card rep-pool" data-pool={health.pool_id} aria-labelledby={`rep-pool-${health.pool_id}`}>
      <h3 id={`rep-pool-${health.pool_id}`}>{name}</h3>
      <div class="rep-meter" aria-hidden="true"><span style={{ width: `${Math.min(100, health.utilisation * 100)}%` }} /></div>
      <dl class="facts">
        <dt>{t("repPoolNumbers")}</dt><dd>{health.size}</dd>
        <dt>{t("repPoolUtil")}</dt><dd>{pct(health.utilisation)}</dd>
        <dt>{t("repPoolPeak")}</dt><dd>{health.peak_concurrent} / {health.size}</dd>
        <dt>{t("repPoolOverflow")}</dt><dd>{health.shared_leases} / {health.leases}</dd>
        <dt>{t("repPoolBlocking")}</dt><dd>{pct(health.blocking_probability)}</dd>
        <dt>{t("repPoolRecommended", { target: pct(health.target_shared_probability ?? 0.01) })}</dt><dd>{health.recommended_size}</dd>
        {health.expected_accuracy !== undefined && <><dt>{t("repPoolAccuracy")}</dt><dd>{pct(health.expected_accuracy)}</dd></>}
      </dl>
      <ul class={`rep-advice${grow ? " warn" : ""}`}>{advice(health, t, language).map((line) => <li key={line}>{line}</li>)}</ul>
    </article>
  );
}
