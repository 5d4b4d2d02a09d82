import {
  TimerConfigError,
  createTimerEvent,
  createTimerScheduler,
  nextFireTimes,
  parseCron,
  readTimerTrigger,
  validateTrigger,
  type TimerEvent,
  type TimerLog,
} from "../scripts/uni-cloud-mock/src/timers";

// Cron runs in the machine's time zone, so expectations are built with local-time Date constructors.
const local = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0) => new Date(year, month - 1, day, hour, minute, second);

const everySecond = { name: "tick", type: "timer", config: "*/1 * * * * * *" };

function recordingLog() {
  const lines: Array<{ level: string; message: string }> = [];
  const log: TimerLog = (level, message) => {
    lines.push({ level, message });
  };
  return { lines, log };
}

describe("cron parsing", () => {
  test("accepts uniCloud's 7-field cron, including the year field", () => {
    expect(() => parseCron("0 */5 * * * * *")).not.toThrow();
    expect(() => parseCron("0 30 2 * * ? 2027")).not.toThrow();
    expect(() => parseCron("0 0 0 ? * MON *")).not.toThrow();
    expect(() => parseCron("  0 0 12 1 1-6 * 2026-2030  ")).not.toThrow();
  });

  test.each([
    ["0 0 * * * *", /has 6 fields; uniCloud needs 7/],
    ["0 0 0 * * * * *", /has 8 fields/],
    ["61 0 0 * * * *", /Invalid timer cron.*second/],
    ["0 0 25 * * * *", /Invalid timer cron.*hour/],
    ["0 0 0 1 1 * 0", /Invalid timer cron.*year/],
    ["a b c d e f g", /Invalid timer cron/],
    ["", /non-empty string/],
  ])("refuses %j", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(TimerConfigError);
    expect(() => parseCron(expression)).toThrow(message);
  });

  test("next fire times are deterministic for a fixed start, and the year field bounds them", () => {
    const from = local(2026, 11, 25, 10, 0, 0);
    expect(nextFireTimes("0 */5 * * * * *", from, 3)).toEqual([local(2026, 11, 25, 10, 5), local(2026, 11, 25, 10, 10), local(2026, 11, 25, 10, 15)]);
    expect(nextFireTimes("0 30 2 * * * 2027", from, 2)).toEqual([local(2027, 1, 1, 2, 30), local(2027, 1, 2, 2, 30)]);
    expect(nextFireTimes("0 0 0 1 1 * 2028,2030", from, 5)).toEqual([local(2028, 1, 1), local(2030, 1, 1)]);
    expect(nextFireTimes("0 0 0 * * * 2020", from, 1)).toEqual([]);
  });

  test("a start exactly on a slot gives the following slot", () => {
    expect(nextFireTimes("*/10 * * * * * *", local(2026, 11, 25, 10, 0, 10), 1)).toEqual([local(2026, 11, 25, 10, 0, 20)]);
  });
});

describe("trigger entries", () => {
  test("reads none or one timer from cloudfunction-config.triggers", () => {
    expect(readTimerTrigger("vk-pay", undefined)).toBeNull();
    expect(readTimerTrigger("vk-pay", [])).toBeNull();
    expect(readTimerTrigger("vk-pay", [{ name: "vk-pay-reconcile", type: "timer", config: "0 */5 * * * * *" }])).toEqual({
      name: "vk-pay-reconcile",
      type: "timer",
      config: "0 */5 * * * * *",
    });
  });

  test("refuses more than one trigger, a non-timer type, a missing name, a bad cron", () => {
    const two = [everySecond, { ...everySecond, name: "tock" }];
    expect(() => readTimerTrigger("f", two)).toThrow(/declares 2 triggers; uniCloud allows at most one/);
    expect(() => readTimerTrigger("f", { name: "x" })).toThrow(/must be an array/);
    expect(() => validateTrigger("f", { name: "x", type: "http", config: "* * * * * * *" })).toThrow(/type "http" is not supported/);
    expect(() => validateTrigger("f", { type: "timer", config: "* * * * * * *" })).toThrow(/non-empty name/);
    expect(() => validateTrigger("f", { name: "x", type: "timer", config: "0 0 * * *" })).toThrow(/Function "f", trigger "x": .*5 fields/);
    expect(() => validateTrigger("f", "0 0 0 * * * *")).toThrow(TimerConfigError);
  });

  test("the timer event carries the scheduled time at second precision", () => {
    const event = createTimerEvent({ name: "vk-pay-reconcile", type: "timer", config: "0 */5 * * * * *" }, new Date(Date.UTC(2026, 10, 25, 2, 30)));
    expect(event).toEqual({ Time: "2026-11-25T02:30:00Z", TriggerName: "vk-pay-reconcile", Type: "Timer" });
  });

  test("the scheduler refuses a second trigger for the same function and invalid entries", () => {
    const fire = jest.fn();
    expect(() =>
      createTimerScheduler({
        triggers: [
          { functionName: "f", trigger: everySecond },
          { functionName: "f", trigger: everySecond },
        ],
        fire,
      }),
    ).toThrow(/more than one timer trigger/);
    expect(() => createTimerScheduler({ triggers: [{ functionName: "f", trigger: { ...everySecond, config: "* * * *" } }], fire })).toThrow(TimerConfigError);
  });
});

describe("scheduler with fake timers", () => {
  const start = local(2026, 11, 25, 10, 0, 0);

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date(start.getTime() + 500) });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test("fires on schedule with the uniCloud timer event", async () => {
    const events: TimerEvent[] = [];
    const scheduler = createTimerScheduler({
      triggers: [{ functionName: "vk-pay", trigger: everySecond }],
      fire: async (name, event) => {
        expect(name).toBe("vk-pay");
        events.push(event);
      },
      log: recordingLog().log,
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    scheduler.stop();
    expect(events).toEqual(
      [1, 2, 3].map((second) => ({
        Time: local(2026, 11, 25, 10, 0, second).toISOString().replace(".000Z", "Z"),
        TriggerName: "tick",
        Type: "Timer",
      })),
    );
  });

  test("nextRuns reports the next fire time for an injected clock", () => {
    const now = () => start;
    const scheduler = createTimerScheduler({
      triggers: [{ functionName: "vk-pay", trigger: { name: "vk-pay-reconcile", type: "timer", config: "0 */5 * * * * *" } }],
      fire: jest.fn(),
      now,
    });
    expect(scheduler.nextRuns()).toEqual([
      {
        functionName: "vk-pay",
        triggerName: "vk-pay-reconcile",
        config: "0 */5 * * * * *",
        next: local(2026, 11, 25, 10, 5),
        running: false,
        lastRun: undefined,
      },
    ]);
  });

  test("a run still in progress is not started again; the skip is logged", async () => {
    const { lines, log } = recordingLog();
    let finish: () => void = () => undefined;
    const fire = jest.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    const scheduler = createTimerScheduler({ triggers: [{ functionName: "slow", trigger: everySecond }], fire, log });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(scheduler.nextRuns()[0].running).toBe(true);
    expect(lines.filter((line) => line.level === "warn" && /skipped, the previous run is still in progress/.test(line.message))).toHaveLength(2);
    expect((await scheduler.runNow("slow")).status).toBe("skipped");

    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(fire).toHaveBeenCalledTimes(2);
    finish();
    scheduler.stop();
    await scheduler.whenIdle();
    expect(scheduler.nextRuns()[0].running).toBe(false);
  });

  test("errors in fire are caught and logged, and the schedule goes on", async () => {
    const { lines, log } = recordingLog();
    let calls = 0;
    const fire = jest.fn(() => {
      calls++;
      if (calls === 1) throw new Error("sync boom");
      return Promise.reject(new Error("async boom"));
    });
    const scheduler = createTimerScheduler({ triggers: [{ functionName: "bad", trigger: everySecond }], fire, log });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    scheduler.stop();
    await scheduler.whenIdle();
    expect(fire).toHaveBeenCalledTimes(3);
    expect(lines.filter((line) => line.level === "error")).toHaveLength(3);
    expect(scheduler.nextRuns()[0].lastRun?.status).toBe("failed");
  });

  test("stop() cancels every pending timer", async () => {
    const fire = jest.fn(async () => undefined);
    const scheduler = createTimerScheduler({ triggers: [{ functionName: "a", trigger: everySecond }], fire, log: recordingLog().log });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(fire).toHaveBeenCalledTimes(1);
    scheduler.stop();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5000);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  test("runNow fires immediately with the current time and returns the outcome", async () => {
    const scheduler = createTimerScheduler({
      triggers: [{ functionName: "vk-pay", trigger: everySecond }],
      fire: async (_name, event) => ({ got: event.TriggerName }),
      log: recordingLog().log,
    });
    const outcome = await scheduler.runNow("vk-pay");
    expect(outcome).toMatchObject({ status: "done", functionName: "vk-pay", result: { got: "tick" } });
    expect(outcome.event.Time).toBe(new Date(start.getTime() + 500).toISOString().replace(/\.\d{3}Z$/, "Z"));
    await expect(scheduler.runNow("nope")).rejects.toThrow(/has no timer trigger/);
  });

  test("a fire time beyond setTimeout's range is reached in steps, and a past year never fires", async () => {
    const { lines, log } = recordingLog();
    const fire = jest.fn(async () => undefined);
    const scheduler = createTimerScheduler({
      triggers: [
        { functionName: "new-year", trigger: { name: "ny", type: "timer", config: "0 0 0 1 1 * 2027" } },
        { functionName: "past", trigger: { name: "old", type: "timer", config: "0 0 0 1 1 * 2020" } },
      ],
      fire,
      log,
    });
    scheduler.start();
    expect(lines.some((line) => /past: timer .* never fires again/.test(line.message))).toBe(true);
    await jest.advanceTimersByTimeAsync(30 * 24 * 3600 * 1000);
    expect(fire).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(local(2027, 1, 1).getTime() - Date.now());
    expect(fire).toHaveBeenCalledTimes(1);
    expect(fire).toHaveBeenCalledWith("new-year", expect.objectContaining({ TriggerName: "ny" }));
    expect(scheduler.nextRuns().find((run) => run.functionName === "past")?.next).toBeNull();
    scheduler.stop();
  });
});

describe("scheduler in real time", () => {
  test("a */1 second schedule fires within two seconds, then stop() ends it", async () => {
    const fire = jest.fn(async () => undefined);
    const scheduler = createTimerScheduler({ triggers: [{ functionName: "tick", trigger: everySecond }], fire, log: recordingLog().log });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    scheduler.stop();
    const count = fire.mock.calls.length;
    expect(count).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fire.mock.calls.length).toBe(count);
  });
});
