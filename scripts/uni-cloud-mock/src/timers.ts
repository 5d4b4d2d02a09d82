/**
 * Timer triggers, as uniCloud runs them: one `{ name, type: "timer", config }` per function in
 * `cloudfunction-config.triggers`, a 7-field cron (sec min hour day month weekday year) evaluated in the
 * machine's time zone, as HBuilderX's local run does.
 * @see https://doc.dcloud.net.cn/uniCloud/trigger.html
 */
import { Cron } from "croner";

export interface TimerTrigger {
  name: string;
  type: "timer";
  config: string;
}

/** The event a timer-triggered function receives (Tencent's shape, which uniCloud documents). */
export interface TimerEvent {
  Time: string;
  TriggerName: string;
  Type: "Timer";
}

export class TimerConfigError extends Error {
  override name = "TimerConfigError";
}

const CRON_FIELDS = "sec min hour day month weekday year";

/** Parses a 7-field cron; anything else (6 fields, bad ranges, illegal characters) is refused with the reason. */
export function parseCron(expression: unknown): Cron {
  if (typeof expression !== "string" || !expression.trim()) {
    throw new TimerConfigError(`Timer cron must be a non-empty string (${CRON_FIELDS})`);
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 7) {
    throw new TimerConfigError(`Timer cron "${expression}" has ${fields.length} fields; uniCloud needs 7 (${CRON_FIELDS})`);
  }
  try {
    // Paused and without a callback: croner only evaluates the pattern; this module owns the timers.
    return new Cron(fields.join(" "), { mode: "7-part", paused: true });
  } catch (error) {
    throw new TimerConfigError(`Invalid timer cron "${expression}": ${(error as Error).message}`);
  }
}

/** Validates one trigger entry of a function's `cloudfunction-config.triggers`. */
export function validateTrigger(functionName: string, entry: unknown): TimerTrigger {
  const where = `Function "${functionName}"`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new TimerConfigError(`${where}: a trigger must be an object { name, type: "timer", config }`);
  }
  const { name, type, config } = entry as Record<string, unknown>;
  if (type !== "timer") {
    throw new TimerConfigError(`${where}: trigger type ${JSON.stringify(type)} is not supported; uniCloud triggers are "timer"`);
  }
  if (typeof name !== "string" || !name.trim()) {
    throw new TimerConfigError(`${where}: a timer trigger needs a non-empty name`);
  }
  try {
    parseCron(config);
  } catch (error) {
    throw new TimerConfigError(`${where}, trigger "${name}": ${(error as Error).message}`);
  }
  return { name, type, config: String(config).trim() };
}

/** Reads `cloudfunction-config.triggers`: none, or exactly one timer (uniCloud allows at most one). */
export function readTimerTrigger(functionName: string, triggers: unknown): TimerTrigger | null {
  if (triggers === undefined || triggers === null) return null;
  if (!Array.isArray(triggers)) {
    throw new TimerConfigError(`Function "${functionName}": cloudfunction-config.triggers must be an array`);
  }
  if (triggers.length > 1) {
    throw new TimerConfigError(`Function "${functionName}" declares ${triggers.length} triggers; uniCloud allows at most one`);
  }
  return triggers.length === 1 ? validateTrigger(functionName, triggers[0]) : null;
}

/** The next `count` fire times strictly after `from`; fewer when the year field runs out. */
export function nextFireTimes(config: string, from: Date, count = 1): Date[] {
  return parseCron(config).nextRuns(count, from);
}

/** Second precision, as the cloud sends it ("2026-11-25T02:30:00Z"). */
function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function createTimerEvent(trigger: TimerTrigger, time: Date): TimerEvent {
  return { Time: formatTime(time), TriggerName: trigger.name, Type: "Timer" };
}

export type TimerRun =
  | { status: "done"; functionName: string; event: TimerEvent; result: unknown; durationMs: number }
  | { status: "failed"; functionName: string; event: TimerEvent; error: unknown; durationMs: number }
  | { status: "skipped"; functionName: string; event: TimerEvent; reason: "still-running" };

export interface TimerSchedule {
  functionName: string;
  triggerName: string;
  config: string;
  /** null when the cron never fires again (a past year). */
  next: Date | null;
  running: boolean;
  lastRun?: { status: TimerRun["status"]; time: string; durationMs?: number };
}

export type TimerLog = (level: "info" | "warn" | "error", message: string, error?: unknown) => void;

export interface TimerSchedulerOptions {
  /** One entry per function with a trigger; the trigger is validated here. */
  triggers: ReadonlyArray<{ functionName: string; trigger: unknown }>;
  fire: (functionName: string, event: TimerEvent) => Promise<unknown>;
  now?: () => Date;
  log?: TimerLog;
}

export interface TimerScheduler {
  start(): void;
  /** Cancels future runs; a run in progress finishes (see `whenIdle`). */
  stop(): void;
  nextRuns(): TimerSchedule[];
  /** Fires a function's trigger immediately, with the current time as `Time`. */
  runNow(functionName: string): Promise<TimerRun>;
  /** Settles when no run is in progress. */
  whenIdle(): Promise<void>;
}

const defaultLog: TimerLog = (level, message, error) => {
  const line = `[timer] ${message}`;
  if (level === "error") console.error(line, error instanceof Error ? (error.stack ?? error.message) : (error ?? ""));
  else if (level === "warn") console.warn(line);
  else console.info(line);
};

/** setTimeout overflows past 2^31-1 ms (~24.8 days); a yearly cron waits in steps. */
const MAX_DELAY_MS = 2_147_483_647;

interface Entry {
  functionName: string;
  trigger: TimerTrigger;
  cron: Cron;
  next: Date | null;
  handle?: NodeJS.Timeout;
  running: Promise<TimerRun> | null;
  lastRun?: TimerSchedule["lastRun"];
}

export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? defaultLog;
  const entries = new Map<string, Entry>();
  for (const { functionName, trigger } of options.triggers) {
    if (entries.has(functionName)) {
      throw new TimerConfigError(`Function "${functionName}" declares more than one timer trigger; uniCloud allows at most one`);
    }
    const valid = validateTrigger(functionName, trigger);
    entries.set(functionName, { functionName, trigger: valid, cron: parseCron(valid.config), next: null, running: null });
  }
  let started = false;

  function launch(entry: Entry, time: Date): Promise<TimerRun> {
    const event = createTimerEvent(entry.trigger, time);
    const { functionName } = entry;
    if (entry.running) {
      // The cloud would start a second instance; locally an overlapping reconcile run only adds contention.
      log("warn", `${functionName}: run for ${event.Time} skipped, the previous run is still in progress`);
      entry.lastRun = { status: "skipped", time: event.Time };
      return Promise.resolve({ status: "skipped", functionName, event, reason: "still-running" });
    }
    const startedAt = Date.now();
    // Promise.resolve() first: a `fire` that throws synchronously still lands in the rejection handler.
    const run = Promise.resolve()
      .then(() => options.fire(functionName, event))
      .then(
        (result): TimerRun => ({ status: "done", functionName, event, result, durationMs: Date.now() - startedAt }),
        (error: unknown): TimerRun => ({ status: "failed", functionName, event, error, durationMs: Date.now() - startedAt }),
      )
      .then((outcome) => {
        entry.running = null;
        entry.lastRun = { status: outcome.status, time: event.Time, durationMs: outcome.status === "skipped" ? undefined : outcome.durationMs };
        try {
          if (outcome.status === "failed") log("error", `${functionName}: run for ${event.Time} failed`, outcome.error);
          else log("info", `${functionName}: run for ${event.Time} done in ${entry.lastRun.durationMs} ms`);
        } catch {
          // A broken logger must not leave the entry looking busy or reject the run.
        }
        return outcome;
      });
    entry.running = run;
    return run;
  }

  function arm(entry: Entry): void {
    clearTimeout(entry.handle);
    entry.handle = undefined;
    if (!started || !entry.next) return;
    const delay = Math.min(Math.max(entry.next.getTime() - now().getTime(), 0), MAX_DELAY_MS);
    entry.handle = setTimeout(() => onTimer(entry), delay);
  }

  function onTimer(entry: Entry): void {
    entry.handle = undefined;
    if (!started || !entry.next) return;
    const current = now();
    // Woken early (a capped long delay, or clock skew against the timer clock): wait the rest.
    if (current.getTime() < entry.next.getTime()) return arm(entry);
    const scheduled = entry.next;
    void launch(entry, scheduled);
    // From the later of the two: a late wake-up fires once, it does not replay every missed slot.
    entry.next = entry.cron.nextRun(current.getTime() > scheduled.getTime() ? current : scheduled);
    arm(entry);
  }

  return {
    start() {
      if (started) return;
      started = true;
      for (const entry of entries.values()) {
        entry.next = entry.cron.nextRun(now());
        if (!entry.next) log("warn", `${entry.functionName}: timer "${entry.trigger.config}" never fires again`);
        arm(entry);
      }
    },
    stop() {
      started = false;
      for (const entry of entries.values()) {
        clearTimeout(entry.handle);
        entry.handle = undefined;
      }
    },
    nextRuns() {
      return [...entries.values()].map((entry) => ({
        functionName: entry.functionName,
        triggerName: entry.trigger.name,
        config: entry.trigger.config,
        next: started ? entry.next : entry.cron.nextRun(now()),
        running: entry.running !== null,
        lastRun: entry.lastRun,
      }));
    },
    async runNow(functionName) {
      const entry = entries.get(functionName);
      if (!entry) throw new TimerConfigError(`Function "${functionName}" has no timer trigger`);
      return launch(entry, now());
    },
    async whenIdle() {
      await Promise.all([...entries.values()].map((entry) => entry.running));
    },
  };
}
