import { defineConfig } from "vite";

// The app is served from Tauri's custom protocol with a strict CSP
// (script-src 'self'): no inline scripts, no eval, no remote assets.
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15", // WebKitGTK; modern enough for ES2022 syntax
    modulePreload: { polyfill: false }, // the polyfill is an inline-ish shim we do not need
    sourcemap: false,
  },
  server: { port: 5173, strictPort: true },
});
