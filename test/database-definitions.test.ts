import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** vk-pay's own collections in the deploy folder; uni-id-users as the emulator's stand-in knows it. */
const DIRS = [join(__dirname, "..", "uniCloud", "database"), join(__dirname, "..", "scripts", "uni-cloud-mock", "space", "database")];

/** The bsonType values uniCloud's DB Schema knows. */
const BSON_TYPES = new Set(["string", "int", "long", "double", "bool", "object", "array", "timestamp", "date", "password", "file", "null"]);
const COLLECTIONS = [
  "vk-pay-wx-sessions",
  "vk-pay-task-log",
  "vk-pay-refunds",
  "vk-pay-notify-log",
  "vk-pay-orders",
  "uni-id-users",
  "vk-pay-balance-log",
  "vk-pay-goods",
  "vk-pay-purchases",
  "vk-pay-config",
  "vk-pay-wxpay-certs",
  "vk-pay-transfers",
  "vk-pay-transfer-limits",
  "vk-pay-douyin-tokens",
  "vk-pay-wx-access-tokens",
  "vk-pay-appleiap-notices",
  "vk-pay-xpay-coin-orders",
];

type Permission = boolean | string;

interface FieldSchema {
  bsonType: string;
  title?: string;
  description?: string;
  enum?: Array<unknown>;
  permission?: { read?: Permission; write?: Permission };
}

interface CollectionSchema {
  bsonType: string;
  required: string[];
  permission: { read: Permission; create: Permission; update: Permission; delete: Permission };
  properties: Record<string, FieldSchema>;
}

interface IndexDefinition {
  IndexName: string;
  MgoKeySchema: { MgoIndexKeys: Array<{ Name: string; Direction: string }>; MgoIsUnique: boolean; MgoIsSparse?: boolean };
}

const located = new Map(
  DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .map((name) => [name, join(dir, name)] as const),
  ),
);
const files = [...located.keys()];
const schemaNames = files.filter((name) => name.endsWith(".schema.json")).map((name) => name.slice(0, -".schema.json".length));

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(located.get(name)!, "utf8")) as T;
}

const schema = (name: string) => readJson<CollectionSchema>(`${name}.schema.json`);
const indexes = (name: string) => readJson<IndexDefinition[]>(`${name}.index.json`);

function enumValues(field: FieldSchema): unknown[] {
  return (field.enum ?? []).map((entry) => (typeof entry === "object" && entry !== null && "value" in entry ? (entry as { value: unknown }).value : entry));
}

test("every collection has a schema and an index file, and nothing else is there", () => {
  expect([...schemaNames].sort()).toEqual([...COLLECTIONS].sort());
  for (const name of COLLECTIONS) expect(files).toContain(`${name}.index.json`);
  expect(files.every((name) => /\.(schema|index)\.json$/.test(name))).toBe(true);
});

test.each(files)("%s is strict JSON", (name) => {
  expect(() => JSON.parse(readFileSync(located.get(name)!, "utf8"))).not.toThrow();
});

describe.each(COLLECTIONS)("%s", (name) => {
  test("schema: object with permission, required fields that exist, and described properties", () => {
    const definition = schema(name);
    expect(definition.bsonType).toBe("object");
    for (const action of ["read", "create", "update", "delete"] as const) {
      expect(["boolean", "string"]).toContain(typeof definition.permission[action]);
    }
    for (const field of definition.required) expect(Object.keys(definition.properties)).toContain(field);
    expect(definition.properties._id?.bsonType).toBe("string");
    for (const [field, property] of Object.entries(definition.properties)) {
      expect({ field, known: BSON_TYPES.has(property.bsonType) }).toEqual({ field, known: true });
      expect(typeof property.title).toBe("string");
      expect(typeof property.description).toBe("string");
    }
  });

  test("indexes: well-formed, uniquely named, on existing properties", () => {
    const definition = schema(name);
    const list = indexes(name);
    expect(Array.isArray(list)).toBe(true);
    expect(new Set(list.map((index) => index.IndexName)).size).toBe(list.length);
    for (const index of list) {
      expect(typeof index.IndexName).toBe("string");
      expect(typeof index.MgoKeySchema.MgoIsUnique).toBe("boolean");
      expect(index.MgoKeySchema.MgoIndexKeys.length).toBeGreaterThan(0);
      for (const key of index.MgoKeySchema.MgoIndexKeys) {
        expect(["1", "-1"]).toContain(key.Direction);
        expect(Object.keys(definition.properties)).toContain(key.Name.split(".")[0]);
      }
    }
  });

  test("clients cannot create, update or delete (only cloud code writes)", () => {
    const { permission } = schema(name);
    expect([permission.create, permission.update, permission.delete]).toEqual([false, false, false]);
  });
});

describe("vk-pay-orders", () => {
  const definition = schema("vk-pay-orders");

  test("status is a string among exactly the five seed states, NOTPAY by default", () => {
    const status = definition.properties.status;
    expect(status.bsonType).toBe("string");
    expect(enumValues(status)).toEqual(["NOTPAY", "USERPAYING", "SUCCESS", "REFUND", "CLOSED"]);
    expect(definition.required).toContain("status");
  });

  test("amounts are integer fen and dates are millisecond timestamps", () => {
    for (const field of ["total_fee", "refund_fee", "refund_num", "hook_attempts"]) expect(definition.properties[field].bsonType).toBe("int");
    for (const field of ["create_date", "pay_date", "notify_date", "cancel_date", "hook_date"]) {
      expect(definition.properties[field].bsonType).toBe("timestamp");
    }
  });

  test("carries vk-uni-pay's fields and the hook state", () => {
    const fields = [
      "pay_type",
      "platform",
      "uni_platform",
      "type",
      "out_trade_no",
      "transaction_id",
      "user_id",
      "nickname",
      "device_id",
      "client_ip",
      "openid",
      "appid",
      "description",
      "total_fee",
      "refund_fee",
      "refund_num",
      "refund_list",
      "user_order_success",
      "custom",
      "stat_data",
      "pid",
      "app_auth_token",
      "auth_appid",
      "seller_id",
      "notify_mode",
      "notify_url",
      "notify_path",
      "mch_id",
      "provider_appid",
      "provider_pay_method",
      "original_data",
      "notify_info",
      "expand_data",
      "hook_error",
      "hook_attempts",
    ];
    for (const field of fields) expect(Object.keys(definition.properties)).toContain(field);
    expect(definition.properties.user_order_success.bsonType).toBe("bool");
    expect(definition.properties.refund_list.bsonType).toBe("array");
  });

  test("unique out_trade_no plus user_id, status, create_date and transaction_id indexes", () => {
    const byKey = new Map(indexes("vk-pay-orders").map((index) => [index.MgoKeySchema.MgoIndexKeys.map((key) => key.Name).join(","), index]));
    expect(byKey.get("out_trade_no")?.MgoKeySchema.MgoIsUnique).toBe(true);
    for (const key of ["user_id", "status", "create_date", "transaction_id"]) {
      expect(byKey.get(key)?.MgoKeySchema.MgoIsUnique).toBe(false);
    }
  });

  test("clients read only their own orders, never the raw notification", () => {
    expect(definition.permission.read).toBe("doc.user_id == auth.uid");
    expect(definition.properties.original_data.permission?.read).toBe(false);
  });
});

describe("other collections", () => {
  test("vk-pay-config is closed to clients entirely (it holds secrets)", () => {
    const definition = schema("vk-pay-config");
    expect(definition.permission).toEqual({ read: false, create: false, update: false, delete: false });
    for (const provider of ["wxpay", "alipay", "appleiap", "vkspay", "wxpay-virtual", "douyin", "huawei"]) {
      expect(definition.properties[provider]?.bsonType).toBe("object");
    }
  });

  test("vk-pay-balance-log has a unique idempotency key so one order event credits once", () => {
    const definition = schema("vk-pay-balance-log");
    for (const field of ["user_id", "out_trade_no", "amount", "balance_before", "balance_after", "type", "create_date", "idempotency_key"]) {
      expect(Object.keys(definition.properties)).toContain(field);
    }
    const unique = indexes("vk-pay-balance-log").filter((index) => index.MgoKeySchema.MgoIsUnique);
    expect(unique.map((index) => index.MgoKeySchema.MgoIndexKeys.map((key) => key.Name))).toEqual([["idempotency_key"]]);
    expect(definition.permission.read).toBe("doc.user_id == auth.uid");
  });

  test("uni-id-users: balance in int fen, VIP expiry timestamp, tokens never readable", () => {
    const definition = schema("uni-id-users");
    expect(definition.properties.balance.bsonType).toBe("int");
    expect(definition.properties.vip_expire_date.bsonType).toBe("timestamp");
    expect(definition.properties.register_date.bsonType).toBe("timestamp");
    expect(definition.properties.role.bsonType).toBe("array");
    expect(definition.properties.token.bsonType).toBe("array");
    expect(definition.properties.token.permission?.read).toBe(false);
    for (const field of ["username", "nickname", "status"]) expect(Object.keys(definition.properties)).toContain(field);
  });

  test("vk-pay-goods prices in fen; vk-pay-purchases is unique per order", () => {
    const goods = schema("vk-pay-goods");
    expect(goods.properties.price.bsonType).toBe("int");
    expect(goods.properties.stock.bsonType).toBe("int");
    const purchases = schema("vk-pay-purchases");
    for (const field of ["user_id", "out_trade_no", "goods_id", "quantity", "type", "create_date"]) {
      expect(Object.keys(purchases.properties)).toContain(field);
    }
    const unique = indexes("vk-pay-purchases").find((index) => index.MgoKeySchema.MgoIsUnique);
    expect(unique?.MgoKeySchema.MgoIndexKeys.map((key) => key.Name)).toEqual(["out_trade_no"]);
  });
});
