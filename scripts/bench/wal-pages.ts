import Sqlite from "better-sqlite3";
import { statSync } from "node:fs";

/** WAL frame: a 24-byte header plus the page (SQLite's default page size, which the emulator keeps). */
const FRAME_BYTES = 24 + 4096;

/**
 * Pages the WAL receives per unit of `work` on `file`: the commit's physical cost, which no JavaScript
 * change removes (each dirty page is copied and written at COMMIT, and copied again at the checkpoint).
 * The WAL is emptied first through a side connection, so its growth is the work's alone.
 */
export async function walPagesPer(file: string, units: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const side = new Sqlite(file);
  try {
    side.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    side.close();
  }
  const before = statSync(`${file}-wal`).size;
  await work();
  return (statSync(`${file}-wal`).size - before) / FRAME_BYTES / units;
}
