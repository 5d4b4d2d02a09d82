import { formatBeijingTime } from "../../common/vk-unicloud/src";

describe("formatBeijingTime", () => {
  it.each([
    // UTC instant, Beijing wall clock (UTC+8): crossings of day, month, leap day and year.
    [Date.UTC(2024, 1, 29, 16, 30, 5, 123), "2024-03-01 00:30:05"],
    [Date.UTC(2024, 1, 28, 16, 0, 0), "2024-02-29 00:00:00"],
    [Date.UTC(2023, 11, 31, 15, 59, 59, 999), "2023-12-31 23:59:59"],
    [Date.UTC(2023, 11, 31, 16, 0, 0), "2024-01-01 00:00:00"],
    [Date.UTC(2025, 6, 4, 1, 2, 3), "2025-07-04 09:02:03"],
    [0, "1970-01-01 08:00:00"],
  ])("formats %d as %s with a 24-hour clock", (epochMs, expected) => {
    expect(formatBeijingTime(epochMs)).toBe(expected);
  });

  it("ignores the host time zone", () => {
    const previous = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(formatBeijingTime(Date.UTC(2024, 5, 1, 4, 0, 0))).toBe("2024-06-01 12:00:00");
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });
});
