import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Served at /app/ by CloudFront (the frontend bucket) and by the local gateway in `make dev`.
export default defineConfig({
  base: "/app/",
  plugins: [preact()],
  build: { outDir: "../app", emptyOutDir: true, target: "es2022", sourcemap: false },
});
