import { ensureBuilt } from "../../scripts/build";

/** The tests run the built bundles, as the cloud would: build first when any source changed. */
export default async function globalSetup(): Promise<void> {
  await ensureBuilt();
}
