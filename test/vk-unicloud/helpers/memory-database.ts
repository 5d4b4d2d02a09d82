import { createDatabase } from "../../../scripts/uni-cloud-mock/src/database";
import { createBaseDao, type BaseDao } from "../../../common/vk-unicloud/src";
import { recordCalls, type RecordedCall } from "./recording";

export type EmulatedDatabase = ReturnType<typeof createDatabase>;

/** 2024-02-29 16:30:05.123 UTC, i.e. 2024-03-01 00:30:05 in Beijing: a date, month and leap day boundary. */
export const FIXED_NOW = Date.UTC(2024, 1, 29, 16, 30, 5, 123);

export interface Fixture {
  db: EmulatedDatabase;
  dao: BaseDao;
  /** Every call baseDao made on the database, in order. */
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** A fresh in-memory emulator database and a baseDao bound to it through a call recorder. */
export function openFixture(): Fixture {
  const db = createDatabase({ file: ":memory:" });
  const calls: RecordedCall[] = [];
  const recorded = recordCalls(db, calls);
  const dao = createBaseDao({ database: () => recorded, now: () => FIXED_NOW });
  return { db, dao, calls, close: async () => void (await db.close()) };
}

/**
 * Which database features exist yet, probed once per test file so a test written for a missing feature
 * becomes an `it.todo` naming what it waits for, and runs by itself once the feature lands.
 */
export function probeFeatures() {
  const db = createDatabase({ file: ":memory:" }) as unknown as Record<string, unknown> & {
    collection(name: string): Record<string, unknown> & { where(q: object): Record<string, unknown>; doc(id: string): Record<string, unknown> };
    command?: { aggregate?: Record<string, unknown> };
    close(): Promise<void> | void;
  };
  const collection = db.collection("probe");
  const features = {
    transactions: typeof db.startTransaction === "function",
    aggregate: canBuildAggregate(collection, db.command?.aggregate),
    docUpdateAndReturn: typeof collection.doc("x").updateAndReturn === "function",
    whereUpdateAndReturn: typeof collection.where({ a: 1 }).updateAndReturn === "function",
  };
  void db.close();
  return features;
}

/** The emulator has `aggregate()` and `$.sum` that throw when called, so presence is not support. */
function canBuildAggregate(collection: Record<string, unknown>, operators: Record<string, unknown> | undefined): boolean {
  try {
    const pipeline = (collection.aggregate as () => { group(spec: object): unknown })();
    pipeline.group({ _id: null, value: (operators!.sum as (e: string) => unknown)("$x") });
    return true;
  } catch {
    return false;
  }
}

/** `it` when the feature exists, otherwise `it.todo` with the reason in its title. */
export function itWhen(available: boolean, waitsOn: string) {
  return (name: string, fn: () => Promise<void>) => (available ? it(name, fn) : it.todo(`${name} — waits on the database: ${waitsOn}`));
}
