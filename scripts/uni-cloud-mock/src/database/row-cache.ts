import type { Session } from "./connection";
import type { CollectionStore, Row } from "./store";

/**
 * The rows one open transaction has read or written, by collection and `_id`. The transaction holds
 * SQLite's write lock, so nothing but its own writes can change them, and every write of a transaction
 * goes through its collections (collection.ts), which update or drop the entry. A payment's settle reads
 * the order and the user twice each (once to look, once inside the update); this parses each once.
 *
 * Cached documents are shared: whoever hands one to a caller gives out a copy.
 */
export class RowCache {
  /** `null`: known to be missing. */
  private readonly collections = new Map<string, Map<string, Row | null>>();

  private rows(name: string): Map<string, Row | null> {
    let rows = this.collections.get(name);
    if (!rows) {
      rows = new Map();
      this.collections.set(name, rows);
    }
    return rows;
  }

  findById(store: CollectionStore, session: Session, id: string): Row | undefined {
    const rows = this.rows(store.name);
    const known = rows.get(id);
    if (known !== undefined) return known ?? undefined;
    const row = store.findById(session, id);
    rows.set(id, row ?? null);
    return row;
  }

  /** After a successful write of `row` (its document is kept, not copied). */
  remember(name: string, id: string, row: Row): void {
    this.rows(name).set(id, row);
  }

  /** After a write whose result is not worth keeping (insert, set, remove). */
  forget(name: string, id: string): void {
    this.collections.get(name)?.delete(id);
  }
}
