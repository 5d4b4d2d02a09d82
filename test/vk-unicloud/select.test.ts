import { openFixture, type Fixture } from "./helpers/memory-database";
import { requestsIn } from "./helpers/recording";

const T = "vk-pay-orders";

let fx: Fixture;
beforeEach(() => {
  fx = openFixture();
});
afterEach(() => fx.close());

/** Records n = 1..count; `g` cycles a, b, c so multi-key sorts have ties to break. */
async function seed(count: number) {
  const dataJson = Array.from({ length: count }, (_, index) => ({ n: index + 1, g: "abc"[index % 3] }));
  // uniCloud takes batches too, but 1000-record batches keep each request realistic.
  for (let start = 0; start < count; start += 1000) {
    await fx.dao.adds({ dbName: T, dataJson: dataJson.slice(start, start + 1000), cancelAddTime: true });
  }
  fx.calls.length = 0;
}

const ns = (rows: Record<string, unknown>[]) => rows.map((row) => row.n);
const byN = [{ name: "n", type: "asc" as const }];

describe("select result shape and pagination", () => {
  beforeEach(() => seed(25));

  it("defaults to page 1 of 10, without a count request", async () => {
    const res = await fx.dao.select({ dbName: T, sortArr: byN });
    expect(res).toEqual({
      code: 0,
      msg: "查询成功",
      rows: expect.any(Array),
      total: 10, // VK: rows.length when getCount is false
      hasMore: true,
      pagination: { pageIndex: 1, pageSize: 10 },
    });
    expect(ns(res.rows)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(requestsIn(fx.calls)).toEqual(["get"]);
  });

  it("with getCount: total of all matches, hasMore until the last (short) page", async () => {
    const page2 = await fx.dao.select({ dbName: T, sortArr: byN, getCount: true, pageIndex: 2, pageSize: 10 });
    expect(page2).toMatchObject({ total: 25, hasMore: true, pagination: { pageIndex: 2, pageSize: 10 } });
    expect(ns(page2.rows)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const page3 = await fx.dao.select({ dbName: T, sortArr: byN, getCount: true, pageIndex: 3, pageSize: 10 });
    expect(page3).toMatchObject({ total: 25, hasMore: false });
    expect(ns(page3.rows)).toEqual([21, 22, 23, 24, 25]);
    const beyond = await fx.dao.select({ dbName: T, getCount: true, pageIndex: 4, pageSize: 10 });
    expect(beyond).toMatchObject({ rows: [], total: 25, hasMore: false });
    expect(requestsIn(fx.calls).filter((r) => r === "count")).toHaveLength(3);
  });

  it("knows an exactly full last page has no more, even without getCount", async () => {
    const last = await fx.dao.select({ dbName: T, sortArr: byN, pageIndex: 5, pageSize: 5 });
    expect(last).toMatchObject({ total: 5, hasMore: false });
    expect(ns(last.rows)).toEqual([21, 22, 23, 24, 25]);
    const before = await fx.dao.select({ dbName: T, sortArr: byN, pageIndex: 4, pageSize: 5 });
    expect(before.hasMore).toBe(true);
    expect(requestsIn(fx.calls)).not.toContain("count");
  });

  it("getMain returns just the rows; getOne the first row or null", async () => {
    const rows = await fx.dao.select({ dbName: T, sortArr: byN, pageSize: 3, getMain: true });
    expect(ns(rows)).toEqual([1, 2, 3]);
    const one = await fx.dao.select({ dbName: T, orderBy: "n desc", getOne: true });
    expect(one).toMatchObject({ n: 25 });
    expect(await fx.dao.select({ dbName: T, whereJson: { n: 999 }, getOne: true })).toBeNull();
  });

  it("applies fieldJson", async () => {
    const res = await fx.dao.select({ dbName: T, sortArr: byN, pageSize: 2, fieldJson: { _id: false, n: true } });
    expect(res.rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("takes page numbers sent as strings by HTTP clients", async () => {
    const res = await fx.dao.select({ dbName: T, sortArr: byN, pageIndex: "2" as never, pageSize: "3" as never });
    expect(ns(res.rows)).toEqual([4, 5, 6]);
    expect(res.pagination).toEqual({ pageIndex: 2, pageSize: 3 });
  });

  it("pageSize -1 returns every matching record", async () => {
    const res = await fx.dao.select({ dbName: T, whereJson: { g: "a" }, sortArr: byN, pageSize: -1 });
    expect(ns(res.rows)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25]);
    expect(res).toMatchObject({ total: 9, hasMore: false });
  });
});

describe("select's two spellings", () => {
  beforeEach(() => seed(25));

  it("where is whereJson and orderBy is sortArr (the seed's form)", async () => {
    const _ = fx.db.command;
    const vk = await fx.dao.select({ dbName: T, whereJson: { n: _.gt(5), g: "b" }, sortArr: [{ name: "n", type: "desc" }], getCount: true });
    const seedForm = await fx.dao.select({ dbName: T, where: { n: _.gt(5), g: "b" }, orderBy: "n desc", getCount: true });
    expect(seedForm).toEqual(vk);
    expect(ns(vk.rows)).toEqual([23, 20, 17, 14, 11, 8]);
    expect(vk.total).toBe(6);
  });

  it("sorts by several keys in order", async () => {
    const expected = [
      ...[25, 22, 19, 16, 13, 10, 7, 4, 1], // g = a, n desc
      ...[23, 20, 17, 14, 11, 8, 5, 2], // g = b
      ...[24, 21, 18, 15, 12, 9, 6, 3], // g = c
    ];
    const bySortArr = await fx.dao.select({
      dbName: T,
      pageSize: 100,
      sortArr: [
        { name: "g", type: "asc" },
        { name: "n", type: "desc" },
      ],
    });
    const byOrderBy = await fx.dao.select({ dbName: T, pageSize: 100, orderBy: "g asc, n desc" });
    expect(ns(bySortArr.rows)).toEqual(expected);
    expect(ns(byOrderBy.rows)).toEqual(expected);
  });
});

describe("select above uniCloud's 1000-per-request limit", () => {
  beforeEach(() => seed(2500));

  const limits = () => fx.calls.filter((c) => c.method === "limit").map((c) => c.args[0]);
  const skips = () => fx.calls.filter((c) => c.method === "skip").map((c) => c.args[0]);

  it("reads a 2100-record page in chunks of at most 1000", async () => {
    const res = await fx.dao.select({ dbName: T, sortArr: byN, pageSize: 2100 });
    expect(res.rows).toHaveLength(2100);
    expect(ns(res.rows)).toEqual(Array.from({ length: 2100 }, (_, i) => i + 1));
    expect(res).toMatchObject({ total: 2100, hasMore: true });
    // 2100 rows + 1 to learn hasMore.
    expect(limits()).toEqual([1000, 1000, 101]);
    expect(skips()).toEqual([1000, 2000]);
  });

  it("reads the short last page and reports no more", async () => {
    const res = await fx.dao.select({ dbName: T, sortArr: byN, pageIndex: 2, pageSize: 2100, getCount: true });
    expect(ns(res.rows)).toEqual(Array.from({ length: 400 }, (_, i) => i + 2101));
    expect(res).toMatchObject({ total: 2500, hasMore: false });
    expect(limits()).toEqual([1000]);
    expect(skips()).toEqual([2100]);
  });

  it("adds _id as the last sort key so chunks neither repeat nor skip records", async () => {
    const res = await fx.dao.select({ dbName: T, orderBy: "g desc", pageSize: 1500 });
    const orderBys = fx.calls.filter((c) => c.method === "orderBy").map((c) => c.args);
    expect(orderBys).toEqual([
      ["g", "desc"],
      ["_id", "asc"],
      ["g", "desc"],
      ["_id", "asc"],
    ]);
    expect(new Set(res.rows.map((row) => row._id)).size).toBe(1500);
    expect(res.rows.slice(0, 833).every((row) => row.g === "c")).toBe(true); // 833 of the 2500 are "c"
    expect(res.rows[833].g).toBe("b");
  });

  it("keeps single-request reads to the caller's sort", async () => {
    await fx.dao.select({ dbName: T, orderBy: "g desc", pageSize: 999 });
    expect(fx.calls.filter((c) => c.method === "orderBy").map((c) => c.args)).toEqual([["g", "desc"]]);
  });

  it("reads everything for pageSize -1", async () => {
    const res = await fx.dao.select({ dbName: T, orderBy: "n desc", pageSize: -1 });
    expect(res.rows).toHaveLength(2500);
    expect(res.rows[0]).toMatchObject({ n: 2500 });
    expect(res.rows[2499]).toMatchObject({ n: 1 });
    expect(limits().every((limit) => typeof limit === "number" && limit <= 1000)).toBe(true);
  });
});
