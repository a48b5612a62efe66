// Builds the UI (a plain folder of the package, not a workspace: docs/ui.md) into dist/ui, which
// ships in the package and which src/server serves.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
