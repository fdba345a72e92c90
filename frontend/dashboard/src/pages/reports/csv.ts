// A report's CSV as the API writes it (format=csv), saved through a Blob link so the
// download carries the user's token like every other request.
import type { Api } from "../../api";

// The file name a Content-Disposition header gives (attachment; filename="a.csv", or the
// RFC 5987 filename*=UTF-8''a.csv); null when there is none to read.
export function filenameFrom(disposition: string | null | undefined): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended) {
    try { return safeName(decodeURIComponent(extended[1].trim())); } catch { /* a broken escape: try the plain one */ }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(disposition);
  return plain ? safeName((plain[2] ?? plain[1]).trim()) : null;
}

// Only a base name: a header must not choose where the file goes.
function safeName(name: string): string | null {
  const base = name.split(/[\\/]/).pop()?.trim() ?? "";
  return base && base !== "." && base !== ".." ? base : null;
}

export function fallbackName(report: string, from: string, to: string): string {
  return `${report}-${from}-${to}.csv`;
}

export async function downloadCsv(api: Api, path: string, fallback: string): Promise<string> {
  const answer = await api.request<string | null>("GET", path);
  const name = filenameFrom(answer.headers?.get("Content-Disposition")) ?? fallback;
  const url = URL.createObjectURL(new Blob([answer.body ?? ""], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started the download once click() returns; the object URL may go.
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}
