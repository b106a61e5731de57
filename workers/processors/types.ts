import type { Config } from "../../src/config.ts";
import type { Db } from "../../src/db/types.ts";
import type { Logger } from "../../src/logger.ts";
import type { JobProducer } from "../../src/queue/producer.ts";
import type { PiiVault } from "../../src/pii/vault.ts";

/** What every processor gets: the same database client and config the services use. */
export interface ProcessorDeps {
  config: Config;
  db: Db;
  log: Logger;
  jobs: JobProducer;
  databaseUrl: string;
  pii: PiiVault;
}
