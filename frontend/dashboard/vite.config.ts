/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Served at /app/ by CloudFront (the frontend bucket) and by the local gateway in `make dev`.
export default defineConfig({
  base: "/app/",
  plugins: [preact()],
  // amazon-cognito-identity-js (and its buffer dependency) reads Node's `global`.
  define: { global: "globalThis" },
  // Unit tests see every area's texts (the app loads them with their pages).
  test: { setupFiles: ["src/i18n/all-texts.ts"] },
  build: { outDir: "../app", emptyOutDir: true, target: "es2022", sourcemap: false },
});
