import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";
import { matchesPredicate } from "../../scripts/uni-cloud-mock/src/database/matcher";
import { compileWhere } from "../../scripts/uni-cloud-mock/src/database/query-compiler";
import { buildPrefilter } from "../../scripts/uni-cloud-mock/src/database/sql-prefilter";
import { plainIndex, useTempDir, writeIndexFile } from "./helpers";

/** A small deterministic PRNG so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SCALARS: unknown[] = [0, 1, 2, 1.5, -1, "1", "a", "b", "", true, false, null];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function randomValue(next: () => number, arrays: boolean, depth = 0): unknown {
  const roll = next();
  if (arrays && depth < 2 && roll < 0.15) return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, arrays, depth + 1));
  if (depth < 2 && roll < 0.3) return { b: randomValue(next, arrays, depth + 1), c: pick(next, SCALARS) };
  return pick(next, SCALARS);
}

function randomDocument(next: () => number, index: number, arrays: boolean): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: `d${index}` };
  for (const key of ["a", "x"]) if (next() < 0.85) doc[key] = randomValue(next, arrays);
  return doc;
}

describe("SQL prefilter", () => {
  const temp = useTempDir();

  it.each([
    ["without arrays (SQL narrows)", false],
    ["with arrays (JS decides)", true],
  ])("never drops a document the exact matcher accepts, %s", async (_name, arrays) => {
    writeIndexFile(temp.path(), "docs", [plainIndex("a_1", ["a"]), plainIndex("a_b_1", ["a.b"])]);
    const db = createDatabase({ file: ":memory:", definitionsDir: temp.path() });
    const _ = db.command;
    const next = random(arrays ? 20240601 : 777);
    const docs = Array.from({ length: 300 }, (_unused, index) => randomDocument(next, index, arrays));
    await db.collection("docs").add(docs);
    const stored = (await db.collection("docs").limit(1000).get()).data;
    const fields = ["a", "a.b", "a.c", "x", "x.b", "_id"];
    const condition = (): unknown => {
      const value = pick(next, SCALARS);
      const roll = next();
      if (roll < 0.3) return value;
      if (roll < 0.45) return _.in([value, pick(next, SCALARS)]);
      if (roll < 0.6) return pick(next, [_.gt, _.gte, _.lt, _.lte])(value === null ? 1 : value);
      if (roll < 0.7) return _.neq(value);
      if (roll < 0.8) return _.exists(next() < 0.5);
      return _.or([value, _.gt(0)]);
    };
    let checked = 0;
    let narrowed = 0;
    for (let round = 0; round < 300; round += 1) {
      const where: unknown =
        next() < 0.2
          ? _.or([{ [pick(next, fields)]: condition() }, { [pick(next, fields)]: condition() }])
          : { [pick(next, fields)]: condition(), ...(next() < 0.3 ? { [pick(next, fields)]: condition() } : {}) };
      const expected = stored.filter((doc) => matchesPredicate(doc, compileWhere(where))).map((doc) => doc._id);
      const actual = (await db.collection("docs").where(where).limit(1000).get()).data.map((doc) => doc._id);
      expect({ where, ids: actual }).toEqual({ where, ids: expected });
      checked += expected.length;
      if (buildPrefilter(compileWhere(where), new Set(arrays ? ["a", "x"] : []))) narrowed += 1;
    }
    expect(checked).toBeGreaterThan(1000);
    if (!arrays) expect(narrowed).toBeGreaterThan(150);
    await db.close();
  });

  it("narrows scalar paths in SQL but leaves arrays, negations and exists to JS", () => {
    const sql = (where: unknown, arrays: string[] = [], unique: string[] = []) => buildPrefilter(compileWhere(where), new Set(arrays), new Set(unique));
    expect(sql({ a: 1, "b.c": "x" })).toEqual({ sql: "(json_extract(doc, '$.a') = ?) AND (json_extract(doc, '$.b.c') = ?)", params: [1, "x"] });
    expect(sql({ a: true })).toEqual({ sql: "json_extract(doc, '$.a') = ?", params: [1] });
    expect(sql({ a: null })).toEqual({ sql: "json_extract(doc, '$.a') IS NULL", params: [] });
    expect(sql({ "a.b": 1 }, ["a"])).toBeUndefined();
    expect(sql({ "list.0.b": 1 })).toBeUndefined();
    expect(sql({ _id: "x" })).toEqual({ sql: "_id = ?", params: ["x"] });
    // A unary + keeps the value but stops SQLite from picking that term's index over the unique one.
    expect(sql({ status: 0, no: "T1" }, [], ["no"])).toEqual({
      sql: "(+json_extract(doc, '$.status') = ?) AND (ifnull(json_extract(doc, '$.no'), x'00') = ?)",
      params: [0, "T1"],
    });
    expect(sql({ status: 0, _id: "a" })).toEqual({ sql: "(+json_extract(doc, '$.status') = ?) AND (_id = ?)", params: [0, "a"] });
  });
});
