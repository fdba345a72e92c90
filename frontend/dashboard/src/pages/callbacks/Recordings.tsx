// The request's recordings, played from the five-minute links the API gives. The page
// reads the request every few seconds and each read signs new links: a player keeps the
// link it started with (a new src would stop the playback) until it is near its expiry.
import { useRef } from "preact/hooks";
import { useSession } from "../../session";
import type { CallbackRequest } from "./model";

const KEEP_MS = 4 * 60 * 1000; // within the links' five minutes

export function Recordings({ request }: { request: CallbackRequest }) {
  const { t } = useSession();
  const kept = useRef(new Map<string, { url: string; at: number }>());
  const links = request.recording_links ?? [];
  const now = Date.now();
  const players = request.recordings.map((sid, i) => {
    const held = kept.current.get(sid);
    if (links[i] && (!held || now - held.at > KEEP_MS)) kept.current.set(sid, { url: links[i], at: now });
    return { sid, url: kept.current.get(sid)?.url ?? null };
  }).filter((p): p is { sid: string; url: string } => p.url !== null);

  if (players.length === 0) return <p class="hint">{t("cbNoRecording")}</p>;
  return (
    <ul class="cb-recordings">
      {players.map((player, i) => (
        <li key={player.sid}>
          <audio controls preload="none" src={player.url} aria-label={t("cbRecordingN", { n: i + 1 })} />
        </li>
      ))}
    </ul>
  );
}
