// Through the package name, as the bundles import it.
import { baseDao, BaseDaoError } from "vk-unicloud";
import { createDatabase } from "../../scripts/uni-cloud-mock/src/database";

const T = "vk-test";
const globals = globalThis as { uniCloud?: unknown };
const opened: ReturnType<typeof createDatabase>[] = [];
function open() {
  const db = createDatabase({ file: ":memory:" });
  opened.push(db);
  return db;
}

afterEach(async () => {
  delete globals.uniCloud;
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

describe("the default baseDao", () => {
  it("uses the global uniCloud.database(), looked up at call time", async () => {
    const db = open();
    globals.uniCloud = { database: () => db };
    const id = (await baseDao.add({ dbName: T, dataJson: { a: 1 } }))!;
    const { data } = await db.collection(T).doc(id).get();
    expect(data).toEqual([
      expect.objectContaining({ _id: id, a: 1, _add_time: expect.any(Number), _add_time_str: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) }),
    ]);
  });

  it("runs on db instead of the global when given", async () => {
    const globalDb = open();
    const other = open();
    globals.uniCloud = { database: () => globalDb };
    await baseDao.add({ db: other, dbName: T, dataJson: { a: 1 } });
    expect(await baseDao.count({ dbName: T })).toBe(0);
    expect(await baseDao.count({ db: other, dbName: T })).toBe(1);
  });

  it("explains a missing global instead of failing obscurely", async () => {
    const result = baseDao.count({ dbName: T });
    await expect(result).rejects.toBeInstanceOf(BaseDaoError);
    await expect(result).rejects.toThrow(/uniCloud\.database\(\) is missing/);
  });

  it("refuses a db that is not a database", async () => {
    await expect(baseDao.count({ db: {} as never, dbName: T })).rejects.toMatchObject({
      code: "VK_BASE_DAO_INVALID_PARAM",
      message: expect.stringMatching(/db has no collection\(\) method/),
    });
  });
});
