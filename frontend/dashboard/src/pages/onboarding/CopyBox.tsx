// A line to paste elsewhere (the snippet), with a button that copies it. The clipboard
// API needs a secure context and the page's permission; where it is refused, the text is
// selected and copied the old way, and is selected anyway for a manual Ctrl+C.
import { useRef, useState } from "preact/hooks";
import { useTexts } from "../../session";

export function CopyBox({ id, label, text }: { id: string; label: string; text: string }) {
  const { t } = useTexts();
  const area = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  const copy = async () => {
    area.current?.select();
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(document.execCommand("copy"));
    }
  };

  return (
    <div class="onb-copy">
      <label for={id}>{label}</label>
      <textarea id={id} ref={area} readOnly rows={3} spellcheck={false} value={text}
        onFocus={(e) => (e.target as HTMLTextAreaElement).select()} />
      <div class="onb-copy-actions">
        <button type="button" onClick={copy}>{t("copy")}</button>
        <span role="status" class={copied === false ? "error" : "ok"}>
          {copied === true ? t("copied") : copied === false ? t("onbCopyManual") : ""}
        </span>
      </div>
    </div>
  );
}
