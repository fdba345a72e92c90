// What the Vitest drift tests read of the API's own files (Node runs them; the project
// carries no Node typings, so this names the little they use).
declare module "node:fs" {
  export function readFileSync(path: URL, encoding: "utf8"): string;
  export function readdirSync(path: URL, options: { recursive: true; encoding: "utf8" }): string[];
}
