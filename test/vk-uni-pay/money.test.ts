import { fenToYuan, isFen, yuanToFen } from "../../common/vk-uni-pay/src/core/money";

describe("money conversion between fen and yuan strings", () => {
  it.each([
    [0, "0.00"],
    [1, "0.01"],
    [7, "0.07"],
    [10, "0.10"],
    [99, "0.99"],
    [100, "1.00"],
    [1234, "12.34"],
    [100001, "1000.01"],
    [10_000_000_000, "100000000.00"],
  ])("%i fen ⇄ %s yuan", (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each([
    ["0.1", 10],
    ["12", 1200],
    ["0.07", 7],
    ["19.99", 1999],
    ["1.10", 110],
  ])("reads %s yuan as %i fen without float rounding", (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each(["", "-1.00", "1.001", "1e3", " 1.00", "01.00", "1.", ".5", "NaN", "Infinity", "1,000.00", "0x10"])("refuses %p", (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(expect.objectContaining({ code: 1003 }));
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])("refuses %p fen", (fen) => {
    expect(() => fenToYuan(fen)).toThrow(expect.objectContaining({ code: 1003 }));
  });

  it("accepts only positive integer fen up to the guard as an order amount", () => {
    expect([1, 100, 10_000_000_000].every(isFen)).toBe(true);
    expect([0, -5, 1.5, "100", 10_000_000_001, Number.NaN, null].some(isFen)).toBe(false);
  });
});
