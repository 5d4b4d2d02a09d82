import { useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

async function ids(query: { get(): Promise<{ data: Array<Record<string, unknown>> }> }): Promise<unknown[]> {
  return (await query.get()).data.map((doc) => doc._id);
}

describe("plain equality (unicloud.md §3.2)", () => {
  beforeEach(async () => {
    await getDb()
      .collection("docs")
      .add([
        {
          _id: "a",
          type: { memory: 8, cpu: 4 },
          tags: ["x", "y"],
          list: [
            { name: "n1", v: 1 },
            { name: "n2", v: 2 },
          ],
          flag: true,
          n: 1,
        },
        { _id: "b", type: { memory: 16 }, tags: ["y"], list: [{ name: "n3" }], flag: false, n: 2, s: "1" },
        { _id: "c", type: { memory: 8 }, tags: [], flag: 1, n: null },
        { _id: "d", "odd-key": { "with space": 1 } },
      ]);
  });

  it("matches dotted paths and nested objects by sub-field", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ "type.memory": 8 }))).toEqual(["a", "c"]);
    // Nested object equality means sub-field matching, not whole-value comparison.
    expect(await ids(docs.where({ type: { memory: 8 } }))).toEqual(["a", "c"]);
    expect(await ids(docs.where({ type: { memory: 8, cpu: 4 } }))).toEqual(["a"]);
    expect(await ids(docs.where({ "odd-key": { "with space": 1 } }))).toEqual(["d"]);
  });

  it("matches any array element, and a specific index with a numeric segment", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ "list.name": "n2" }))).toEqual(["a"]);
    expect(await ids(docs.where({ "list.0.name": "n2" }))).toEqual([]);
    expect(await ids(docs.where({ "list.1.name": "n2" }))).toEqual(["a"]);
    expect(await ids(docs.where({ tags: "y" }))).toEqual(["a", "b"]);
    expect(await ids(docs.where({ tags: ["y"] }))).toEqual(["b"]);
    expect(await ids(docs.where({ tags: [] }))).toEqual(["c"]);
  });

  it("keeps types strict: true is not 1, '1' is not 1", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ flag: true }))).toEqual(["a"]);
    expect(await ids(docs.where({ flag: 1 }))).toEqual(["c"]);
    expect(await ids(docs.where({ flag: false }))).toEqual(["b"]);
    expect(await ids(docs.where({ s: 1 }))).toEqual([]);
    expect(await ids(docs.where({ s: "1" }))).toEqual(["b"]);
  });

  it("null matches null and missing", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ n: null }))).toEqual(["c", "d"]);
    expect(await ids(docs.where({ "list.v": null }))).toEqual(["b", "c", "d"]);
  });

  it("treats operator-looking objects as literal data, never as operators", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ n: { $gt: 0 } }))).toEqual([]);
    expect(await ids(docs.where({ $or: [{ _id: "a" }] }))).toEqual([]);
    expect(await ids(docs.where({ _id: { $ne: "zzz" } }))).toEqual([]);
  });

  it("rejects undefined values and non-data query values", async () => {
    const docs = getDb().collection("docs");
    await expect(docs.where({ n: undefined }).get()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
    await expect(docs.where({ n: () => 1 }).count()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
    await expect(docs.where("n = 1").get()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
    await expect(docs.where({ n: getDb().command.inc(1) }).get()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 5000; level += 1) deep = { n: deep };
    await expect(docs.where(deep).get()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
  });

  it("queries by _id, also inside where", async () => {
    const docs = getDb().collection("docs");
    expect(await ids(docs.where({ _id: "b" }))).toEqual(["b"]);
  });
});
