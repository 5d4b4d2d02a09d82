import { BaseDaoError } from "../../common/vk-unicloud/src";
import { readSortRules } from "../../common/vk-unicloud/src/sort-rules";

describe("readSortRules", () => {
  it("reads VK's sortArr, defaulting the direction to asc", () => {
    expect(readSortRules("select", [{ name: "a", type: "desc" }, { name: "b" }], undefined)).toEqual([
      { name: "a", type: "desc" },
      { name: "b", type: "asc" },
    ]);
  });

  it.each([
    ["create_date desc", [{ name: "create_date", type: "desc" }]],
    [
      "a asc, b desc",
      [
        { name: "a", type: "asc" },
        { name: "b", type: "desc" },
      ],
    ],
    [
      "  a   DESC ,b",
      [
        { name: "a", type: "desc" },
        { name: "b", type: "asc" },
      ],
    ],
    ["info.level desc", [{ name: "info.level", type: "desc" }]],
    ["", []],
  ])("reads the seed's orderBy %j", (orderBy, expected) => {
    expect(readSortRules("select", undefined, orderBy)).toEqual(expected);
  });

  it("returns no rules when neither is given", () => {
    expect(readSortRules("select", undefined, undefined)).toEqual([]);
  });

  it.each([
    ["both forms", [{ name: "a" }], "a desc", /either sortArr or orderBy/],
    ["a bad direction", undefined, "a down", /"asc" or "desc"/],
    ["three words", undefined, "a desc nulls", /not "field \[asc\|desc\]"/],
    ["an empty part", undefined, "a desc,", /not "field/],
    ["a non-string orderBy", undefined, { a: -1 }, /orderBy must be a string/],
    ["a non-array sortArr", { name: "a" }, undefined, /sortArr must be an array/],
    ["an operator as field", [{ name: "$where", type: "asc" }], undefined, /field path/],
    ["an object as direction", [{ name: "a", type: { $gt: 1 } }], undefined, /"asc" or "desc"/],
  ])("refuses %s", (_label, sortArr, orderBy, message) => {
    const run = () => readSortRules("select", sortArr, orderBy);
    expect(run).toThrow(BaseDaoError);
    expect(run).toThrow(message);
  });
});
