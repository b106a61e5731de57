import { defineConfig } from "vitest/config";

// Two projects: `unit` is pure logic (no services); `integration` talks to the real
// PostgreSQL and Redis that test/setup/global-setup.ts starts once for the whole run.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/browser/**/*.test.ts"],
          globalSetup: ["test/setup/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
