import { defineConfig } from "prisma/config";

// The CLI needs a URL only for commands that talk to a database; homeward applies its migrations
// with its own runner (src/db/migrate.ts), so `generate` works without one.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/homeward" },
});
