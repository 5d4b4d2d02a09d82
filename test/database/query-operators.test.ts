import { QueryCommand } from "../../scripts/uni-cloud-mock/src/database";
import { useMemoryDatabase } from "./helpers";

const getDb = useMemoryDatabase();

const DOCS = [
  {
    _id: "a",
    n: 1,
    s: "apple",
    tags: ["x", "y"],
    items: [
      { k: "p", q: 1 },
      { k: "q", q: 5 },
    ],
    when: new Date(1000),
  },
  { _id: "b", n: 5, s: "Banana", tags: ["y"], items: [{ k: "p", q: 7 }], when: new Date(2000) },
  { _id: "c", n: 10, s: "cherry", tags: [], flag: null },
  { _id: "d", n: "10", s: 7 },
  { _id: "e", n: true },
];

async function ids(where: unknown): Promise<string[]> {
  const docs = getDb().collection("docs");
  return (await docs.where(where).get()).data.map((doc) => doc._id as string);
}

beforeEach(async () => {
  await getDb().collection("docs").add(DOCS);
});

describe("comparison operators", () => {
  it("eq/neq/gt/gte/lt/lte compare within one type only", async () => {
    const _ = getDb().command;
    expect(await ids({ n: _.eq(10) })).toEqual(["c"]);
    expect(await ids({ n: _.neq(10) })).toEqual(["a", "b", "d", "e"]);
    expect(await ids({ n: _.gt(1) })).toEqual(["b", "c"]);
    expect(await ids({ n: _.gte(1) })).toEqual(["a", "b", "c"]);
    expect(await ids({ n: _.lt(5) })).toEqual(["a"]);
    expect(await ids({ n: _.lte(5) })).toEqual(["a", "b"]);
    expect(await ids({ n: _.gt("1") })).toEqual(["d"]);
    expect(await ids({ s: _.gt("b") })).toEqual(["c"]);
    expect(await ids({ s: _.lt("b") })).toEqual(["a", "b"]);
    expect(await ids({ when: _.gt(new Date(1500)) })).toEqual(["b"]);
  });

  it("chained commands on one field are an implicit AND", async () => {
    const _ = getDb().command;
    expect(await ids({ n: _.gt(1).lt(10) })).toEqual(["b"]);
    expect(await ids({ n: _.gt(1).and(_.lt(10)) })).toEqual(["b"]);
    expect(await ids({ n: _.lt(5).or(_.gt(5)) })).toEqual(["a", "c"]);
    expect(await ids({ n: _.or([_.eq(1), _.eq(10)]) })).toEqual(["a", "c"]);
    expect(await ids({ n: _.and(_.gte(1), _.lte(5)) })).toEqual(["a", "b"]);
  });

  it("in/nin, including arrays and null", async () => {
    const _ = getDb().command;
    expect(await ids({ n: _.in([1, 10]) })).toEqual(["a", "c"]);
    expect(await ids({ n: _.nin([1, 10]) })).toEqual(["b", "d", "e"]);
    expect(await ids({ tags: _.in(["x"]) })).toEqual(["a"]);
    expect(await ids({ flag: _.in([null]) })).toEqual(["a", "b", "c", "d", "e"]);
    expect(await ids({ n: _.in([]) })).toEqual([]);
    expect(await ids({ s: _.in([/^b/i, 7]) })).toEqual(["b", "d"]);
  });
});

describe("logical operators", () => {
  it("or/and/nor/not at the root, in array and variadic form", async () => {
    const _ = getDb().command;
    expect(await ids(_.or([{ n: 1 }, { n: 5 }]))).toEqual(["a", "b"]);
    expect(await ids(_.or({ n: 1 }, { s: "cherry" }))).toEqual(["a", "c"]);
    expect(await ids(_.and([{ tags: "y" }, { n: _.gt(1) }]))).toEqual(["b"]);
    expect(await ids(_.nor([{ n: 1 }, { n: 5 }]))).toEqual(["c", "d", "e"]);
    expect(await ids(_.not({ tags: "y" }))).toEqual(["c", "d", "e"]);
    expect(await ids(_.or([{ n: 1 }, _.and([{ n: 10 }, { s: "cherry" }])]))).toEqual(["a", "c"]);
  });

  it("not/nor on a field", async () => {
    const _ = getDb().command;
    expect(await ids({ n: _.not(_.gt(1)) })).toEqual(["a", "d", "e"]);
    expect(await ids({ n: _.nor([_.eq(1), _.eq(5)]) })).toEqual(["c", "d", "e"]);
    expect(await ids({ s: _.not(/^a/) })).toEqual(["b", "c", "d", "e"]);
  });
});

describe("field and array operators", () => {
  it("exists, size, all, elemMatch, mod", async () => {
    const _ = getDb().command;
    expect(await ids({ flag: _.exists(true) })).toEqual(["c"]);
    expect(await ids({ tags: _.exists(false) })).toEqual(["d", "e"]);
    expect(await ids({ tags: _.size(0) })).toEqual(["c"]);
    expect(await ids({ tags: _.size(2) })).toEqual(["a"]);
    expect(await ids({ tags: _.all(["y", "x"]) })).toEqual(["a"]);
    expect(await ids({ tags: _.all(["y"]) })).toEqual(["a", "b"]);
    expect(await ids({ items: _.elemMatch({ k: "p", q: _.gt(3) }) })).toEqual(["b"]);
    // Without elemMatch the two conditions may be met by different elements.
    expect(await ids({ "items.k": "p", "items.q": _.gt(3) })).toEqual(["a", "b"]);
    expect(await ids({ "items.q": _.elemMatch(_.gt(6)) })).toEqual([]);
    expect(await ids({ n: _.mod(5, 0) })).toEqual(["b", "c"]);
    expect(await ids({ n: _.mod([3, 1]) })).toEqual(["a", "c"]);
  });

  it("RegExp values", async () => {
    expect(await ids({ s: /an/ })).toEqual(["b"]);
    expect(await ids({ s: /^c/ })).toEqual(["c"]);
    expect(await ids({ tags: /^x$/ })).toEqual(["a"]);
    // A global regex must not become stateful between documents.
    expect(await ids({ s: /a/g })).toEqual(["a", "b"]);
  });
});

describe("expr", () => {
  it("compares two fields of one document with aggregation operators", async () => {
    const db = getDb();
    const _ = db.command;
    const $ = _.aggregate;
    await db.collection("pairs").add([
      { _id: "1", paid: 5, total: 5 },
      { _id: "2", paid: 3, total: 5 },
    ]);
    const ids = async (where: unknown) => (await db.collection("pairs").where(where).get()).data.map((doc) => doc._id);
    expect(await ids(_.expr($.eq(["$paid", "$total"])))).toEqual(["1"]);
    expect(await ids(_.and([_.expr($.lt(["$paid", "$total"])), { total: 5 }]))).toEqual(["2"]);
    await expect(
      db
        .collection("pairs")
        .where({ paid: _.expr($.eq(["$paid", 1])) })
        .get(),
    ).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
  });
});

describe("bad operator input", () => {
  it("rejects wrong operand types with INVALID_PARAM", async () => {
    const _ = getDb().command;
    const docs = getDb().collection("docs");
    for (const where of [
      { n: _.in(5) },
      { n: _.exists("yes") },
      { n: _.size(-1) },
      { n: _.mod(0, 1) },
      { n: _.elemMatch(5) },
      { n: _.not(5) },
      { n: _.gt(undefined) },
      _.gt(5),
      _.or([]),
      { n: new QueryCommand("regex" as never, ["x"]) },
      { n: _.inc(1) },
    ]) {
      await expect(docs.where(where).get()).rejects.toMatchObject({ errCode: "INVALID_PARAM" });
    }
  });
});
