import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests may read the repository's own files (Cargo.toml, packaging/) as `?raw` text.
  server: { fs: { allow: [".."] } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["./vitest.setup.ts"],
  },
});
