// A call's notes, newest last, and a form to add one (the API records who and when).
import { useState } from "preact/hooks";
import { useSession } from "../../session";
import { dateTime } from "../../ui/format";
import { Outcome } from "../../ui/states";
import type { VersionedCall } from "./CallPage";

export function Notes({ loaded, onChanged }: { loaded: VersionedCall; onChanged: () => void }) {
  const { t, api, can, language } = useSession();
  const notes = loaded.call.lead?.notes ?? [];
  const [text, setText] = useState("");
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  return (
    <section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">{t("notes")}</h2>
      {notes.length === 0 ? <p class="hint">{t("noNotes")}</p> : (
        <ol class="notes">
          {notes.map((note) => (
            <li key={note.note_id ?? note.noteId ?? note.at}>
              <p class="note-text">{note.text}</p>
              <p class="hint">{t("noteBy", { who: note.author, when: dateTime(note.at, language) })}</p>
            </li>
          ))}
        </ol>
      )}
      {can("write") && (
        <form onSubmit={async (event) => {
          event.preventDefault();
          if (!text.trim()) return;
          setState({ busy: true });
          try {
            await api.send("POST", `/v1/calls/${encodeURIComponent(loaded.call.call_id)}/notes`, { text: text.trim() });
            setText("");
            setState({});
            onChanged();
          } catch (error) {
            setState({ error });
          }
        }}>
          <div class="field">
            <label for="note-text">{t("noteLabel")}</label>
            <textarea id="note-text" maxLength={2000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </div>
          <button type="submit" disabled={state.busy || !text.trim()}>{t("addNote")}</button>
          <Outcome error={state.error} />
        </form>
      )}
    </section>
  );
}
