/**
 * How every sandbox delivers its notifications: each one attempted at once and again after each of
 * `retryDelaysMs` until one attempt reports success; the control API's `drop` loses the next ones on
 * purpose; `idle()` waits for deliveries in flight; `close()` cuts pending back-offs short.
 */
export interface DeliveryQueue<Job> {
  /** Starts delivering `job`, or loses it when a drop is pending. */
  dispatch(job: Job): "queued" | "dropped";
  drop(count: number): void;
  readonly pendingDrops: number;
  idle(): Promise<void>;
  close(): void;
}

/** `attempt` resolves true when the receiver acknowledged; false or a rejection means "try again later". */
export function createDeliveryQueue<Job>(options: {
  retryDelaysMs: number[];
  attempt: (job: Job, attemptNumber: number) => Promise<boolean>;
}): DeliveryQueue<Job> {
  let drops = 0;
  let closed = false;
  const inFlight = new Set<Promise<void>>();
  // Pending back-offs, so close() can cut them short instead of leaving deliveries hanging.
  const waits = new Map<NodeJS.Timeout, () => void>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        waits.delete(timer);
        resolve();
      }, ms);
      waits.set(timer, resolve);
    });

  async function deliver(job: Job): Promise<void> {
    for (let attempt = 0; attempt <= options.retryDelaysMs.length && !closed; attempt++) {
      if (attempt > 0) await wait(options.retryDelaysMs[attempt - 1]!);
      if (closed) return;
      if (await options.attempt(job, attempt + 1).catch(() => false)) return;
    }
  }

  return {
    dispatch(job) {
      if (drops > 0) {
        drops--;
        return "dropped";
      }
      const delivery = deliver(job).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
      return "queued";
    },
    drop(count) {
      drops = count;
    },
    get pendingDrops() {
      return drops;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close() {
      closed = true;
      for (const [timer, resolve] of waits) {
        clearTimeout(timer);
        resolve();
      }
      waits.clear();
    },
  };
}

/**
 * What every notifier answers besides its own `send`: `redeliver` of the last notification stored under a
 * key (the control API's `redeliver`), `drop`, `pendingDrops`, `idle` and `close`. Returned as the object a
 * notifier adds its `send` to, so `pendingDrops` stays a live getter.
 */
export function deliveryControls<Job, Stored>(
  queue: DeliveryQueue<Job>,
  lastNotification: (key: string) => Stored | undefined,
  jobOf: (stored: Stored) => Job,
) {
  return {
    redeliver(key: string): "queued" | "dropped" | undefined {
      const stored = lastNotification(key);
      return stored ? queue.dispatch(jobOf(stored)) : undefined;
    },
    drop: (count: number) => queue.drop(count),
    get pendingDrops() {
      return queue.pendingDrops;
    },
    idle: () => queue.idle(),
    close: () => queue.close(),
  };
}

/**
 * The default transport of every sandbox: Node's fetch with a timeout, as the platforms give up on slow
 * merchants, and without following redirects, which they treat as a failed delivery.
 */
export async function fetchTransport(url: string, init: { headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: "POST", headers: init.headers, body: init.body, redirect: "manual", signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}
