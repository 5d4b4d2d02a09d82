import type { PaymentProvider } from "../../common/vk-uni-pay/src/kernel/contract";
import { leaksIn, recordOutput } from "./secrets";
import type { Envelope, FakePlatform, Forgery, NotifyReply, PlatformSession } from "./fake-platform";

/**
 * The conformance suite every provider runs (issue 11, item 6; STYLE.md item 10): the same journeys and the
 * same hostile notifications, asserted through what the product stores (the order, the notification log,
 * the user's balance and balance log) and through the replies the platform receives. A provider joins by
 * writing its FakePlatform and one run file calling `describeProvider(provider, platform)`.
 *
 * Every order is a recharge: its hook credits the balance and writes one `vk-pay-balance-log` row per
 * payment or refund, so "the business effect exactly once" is countable.
 */
export function describeProvider(provider: PaymentProvider, platform: FakePlatform): void {
  describe(`provider conformance: ${provider.name}`, () => {
    let session: PlatformSession;
    let output: ReturnType<typeof recordOutput>;

    beforeAll(async () => {
      output = recordOutput();
      session = await platform.start();
      // Every answer the suite's calls receive counts as output too (the in-memory platforms answer without HTTP).
      const library = session.library as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const name of Object.keys(library)) {
        const call = library[name]!;
        library[name] = async (...args) => {
          const answer = await call(...args);
          output.record(JSON.stringify(answer));
          return answer;
        };
      }
      const post = session.post;
      session.post = async (outTradeNo, message) => {
        const reply = await post(outTradeNo, message);
        output.record(`${reply.status} ${reply.body}`);
        return reply;
      };
    }, 60_000);
    afterAll(async () => {
      output?.stop();
      await session?.stop();
    });

    const orderOf = async (outTradeNo: string) =>
      (await session.db.collection("vk-pay-orders").where({ out_trade_no: outTradeNo }).get()).data[0] as Record<string, any>;
    const balance = async () => ((await session.db.collection("uni-id-users").doc(session.userId).get()).data[0]?.balance ?? 0) as number;
    const ledger = async (outTradeNo: string) =>
      (await session.db.collection("vk-pay-balance-log").where({ out_trade_no: outTradeNo }).get()).data.map((row) => row.amount as number);
    const outcomes = async (outTradeNo: string) =>
      (await session.db.collection("vk-pay-notify-log").where({ out_trade_no: outTradeNo }).get()).data
        .sort((a, b) => a.create_date - b.create_date)
        .map((entry) => entry.outcome as string);
    const outcomeCount = async (outcome: string) => (await session.db.collection("vk-pay-notify-log").where({ outcome }).count()).total;
    /** What a refused notification must leave exactly as it was. */
    const snapshot = async (outTradeNo: string) => {
      const order = await orderOf(outTradeNo);
      return {
        order: {
          status: order.status,
          transaction_id: order.transaction_id,
          pay_date: order.pay_date,
          refund_fee: order.refund_fee,
          user_order_success: order.user_order_success,
        },
        balance: await balance(),
        ledger: await ledger(outTradeNo),
        refunds: (await session.db.collection("vk-pay-refunds").where({ out_trade_no: outTradeNo }).count()).total,
      };
    };
    const created = async (totalFee: number) => {
      const reply = await session.library.createPayment(totalFee);
      expect(reply).toMatchObject({ code: 0, data: { out_trade_no: expect.any(String), total_fee: totalFee } });
      return { outTradeNo: reply.data.out_trade_no as string, totalFee };
    };
    const expectAcknowledged = (reply: NotifyReply) => expect({ reply, acknowledged: platform.isAcknowledged(reply) }).toMatchObject({ acknowledged: true });
    const expectRefusedReply = (reply: NotifyReply) => expect({ reply, acknowledged: platform.isAcknowledged(reply) }).toMatchObject({ acknowledged: false });
    /** A refund the platform finished, seen by the library through the platform's notification or, lacking one, a query. */
    const settledRefund = async (outTradeNo: string, reply: Envelope) => {
      expect(reply).toMatchObject({ code: 0, data: { out_refund_no: expect.any(String) } });
      const outRefundNo = reply.data.out_refund_no as string;
      await session.settleRefund(outTradeNo, outRefundNo);
      if (provider.capabilities.refundNotify) {
        // Settled by the platform's refund notification itself, not by a query.
        expect((await session.db.collection("vk-pay-notify-log").where({ out_refund_no: outRefundNo, outcome: "applied" }).count()).total).toBe(1);
      } else {
        expect(await session.library.queryRefund(outTradeNo, outRefundNo)).toMatchObject({
          code: 0,
          data: { refunds: [{ out_refund_no: outRefundNo, status: "SUCCESS" }] },
        });
      }
      expect((await session.db.collection("vk-pay-refunds").where({ out_refund_no: outRefundNo }).get()).data).toEqual([
        expect.objectContaining({ status: "SUCCESS" }),
      ]);
      return outRefundNo;
    };

    /** A case the protocol has no room for is skipped, visibly, with its reason. */
    const caseUnless = (reason: string | undefined) => (name: string, run: () => Promise<void>) =>
      reason ? it.skip(`${name}: not applicable, ${reason}`, () => undefined) : it(name, run);
    const paymentCase = caseUnless(platform.noPaymentNotification);
    const refundCase = caseUnless(platform.noPaymentNotification ?? platform.noMerchantRefund);

    refundCase("creates, is notified, answers queries, refunds in part and in full, and settles each refund", async () => {
      const start = await balance();
      const { outTradeNo } = await created(10000);
      expect(await session.library.queryPayment(outTradeNo)).toMatchObject({ code: 0, data: { trade_state: "NOTPAY", orderPaid: false } });

      await session.pay(outTradeNo);
      expect(await orderOf(outTradeNo)).toMatchObject({
        status: "SUCCESS",
        total_fee: 10000,
        notify_mode: 1,
        user_order_success: true,
        transaction_id: expect.any(String),
      });
      expect(await outcomes(outTradeNo)).toEqual(["applied"]);
      expect(await balance()).toBe(start + 10000);
      expect(await session.library.queryPayment(outTradeNo)).toMatchObject({
        code: 0,
        data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true, total_fee: 10000 },
      });

      await settledRefund(outTradeNo, await session.library.refund(outTradeNo, 3000));
      expect(await orderOf(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 3000 });
      expect(await balance()).toBe(start + 7000);
      const rest = await session.library.refund(outTradeNo);
      expect(rest).toMatchObject({ data: { refund_fee: 7000 } });
      await settledRefund(outTradeNo, rest);
      expect(await orderOf(outTradeNo)).toMatchObject({ status: "REFUND", refund_fee: 10000 });
      expect(await balance()).toBe(start);
      expect(await ledger(outTradeNo)).toEqual([10000, -3000, -7000]);
      // Nothing is left to refund, and asking does not reach the ledger.
      expect(await session.library.refund(outTradeNo, 1)).toMatchObject({ code: 2008 });
      expect(await ledger(outTradeNo)).toHaveLength(3);
    });

    const refusals: Array<[string, Forgery, string | undefined]> = [
      ["a bad signature", "bad-signature", undefined],
      ["a stale timestamp", "stale-timestamp", platform.noTimestamp],
      ["an amount 1 fen short", "amount-short", undefined],
      ["another merchant", "other-merchant", platform.noMerchantField],
      ["another app id", "other-app", undefined],
    ];
    describe("notifications it must refuse, changing nothing", () => {
      let order: { outTradeNo: string; totalFee: number };
      beforeAll(async () => {
        if (!platform.noPaymentNotification) order = await created(900);
      });

      for (const [label, forgery, ownReason] of refusals) {
        const skipReason = platform.noPaymentNotification ?? ownReason;
        if (skipReason) {
          // Visible in every run's output: the case does not apply to this protocol, and why.
          it.skip(`refuses ${label}: not applicable, ${skipReason}`, () => undefined);
          continue;
        }
        it(`refuses ${label}: not acknowledged, order, balance and balance log unchanged, the refusal logged`, async () => {
          const before = await snapshot(order.outTradeNo);
          const refused = await outcomeCount("refused");
          expectRefusedReply(await session.post(order.outTradeNo, await session.forge(order, forgery)));
          expect(await snapshot(order.outTradeNo)).toEqual(before);
          expect(await outcomeCount("refused")).toBe(refused + 1);
        });
      }

      paymentCase("accepts the same notification built properly, so each refusal above was for its own reason", async () => {
        const start = await balance();
        expectAcknowledged(await session.post(order.outTradeNo, await session.forge(order, "genuine")));
        expect(await orderOf(order.outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
        expect(await balance()).toBe(start + 900);
        expect(await ledger(order.outTradeNo)).toEqual([900]);
      });
    });

    paymentCase("applies a notification delivered twice in a row once, acknowledging both", async () => {
      const start = await balance();
      const { outTradeNo } = await created(1200);
      await session.pay(outTradeNo);
      await session.redeliver(outTradeNo);
      expect(await outcomes(outTradeNo)).toEqual(["applied", "duplicate"]);
      expect(await balance()).toBe(start + 1200);
      expect(await ledger(outTradeNo)).toEqual([1200]);
    });

    paymentCase("applies one of 20 identical notifications arriving at once, and acknowledges every one", async () => {
      const start = await balance();
      const order = await created(2500);
      const message = await session.forge(order, "genuine");
      const replies = await Promise.all(Array.from({ length: 20 }, () => session.post(order.outTradeNo, message)));
      for (const reply of replies) expectAcknowledged(reply);
      const seen = await outcomes(order.outTradeNo);
      expect(seen).toHaveLength(20);
      expect(seen.filter((outcome) => outcome === "applied")).toHaveLength(1);
      expect(seen.filter((outcome) => outcome === "duplicate")).toHaveLength(19);
      expect(await balance()).toBe(start + 2500);
      expect(await ledger(order.outTradeNo)).toEqual([2500]);
    });

    if (platform.noEventType) {
      it.skip(`acknowledges an unknown event type: not applicable, ${platform.noEventType}`, () => undefined);
    } else {
      it("acknowledges a verified notification of an unknown event type, logs it as ignored, and changes nothing", async () => {
        const order = await created(700);
        const before = await snapshot(order.outTradeNo);
        const ignored = await outcomeCount("ignored");
        expectAcknowledged(await session.post(order.outTradeNo, await session.forge(order, "unknown-event")));
        expect(await snapshot(order.outTradeNo)).toEqual(before);
        expect(await outcomeCount("ignored")).toBe(ignored + 1);
      });
    }

    paymentCase("applies a payment whose notification was lost when the order is queried, running the hook once", async () => {
      const start = await balance();
      const { outTradeNo } = await created(500);
      await session.drop(1);
      try {
        await session.pay(outTradeNo);
      } finally {
        await session.drop(0);
      }
      expect(await orderOf(outTradeNo)).toMatchObject({ status: "NOTPAY" });
      expect(await balance()).toBe(start);
      expect(await session.library.queryPayment(outTradeNo)).toMatchObject({
        code: 0,
        data: { trade_state: "SUCCESS", orderPaid: true, user_order_success: true },
      });
      expect(await session.library.queryPayment(outTradeNo)).toMatchObject({ code: 0, data: { trade_state: "SUCCESS" } });
      expect(await orderOf(outTradeNo)).toMatchObject({ status: "SUCCESS", notify_mode: 0 });
      expect(await balance()).toBe(start + 500);
      expect(await ledger(outTradeNo)).toEqual([500]);
      expect(await outcomes(outTradeNo)).toEqual([]);
    });

    paymentCase("keeps a payment notified after the order was closed: CLOSED becomes SUCCESS, applied once and logged", async () => {
      const start = await balance();
      const order = await created(800);
      // The buyer has the cashier open (a scanned QR code), so the platform has a trade to close.
      await session.open(order.outTradeNo);
      expect(await session.library.closeOrder(order.outTradeNo)).toMatchObject({ code: 0, data: { trade_state: "CLOSED" } });
      expect(await orderOf(order.outTradeNo)).toMatchObject({ status: "CLOSED" });
      // The buyer paid just before the close reached the platform; its notification arrives afterwards.
      const late = await session.forge(order, "genuine");
      expectAcknowledged(await session.post(order.outTradeNo, late));
      expect(await orderOf(order.outTradeNo)).toMatchObject({ status: "SUCCESS", user_order_success: true });
      expectAcknowledged(await session.post(order.outTradeNo, late));
      expect(await outcomes(order.outTradeNo)).toEqual(["applied", "duplicate"]);
      const applied = (await session.db.collection("vk-pay-notify-log").where({ out_trade_no: order.outTradeNo, outcome: "applied" }).get()).data;
      expect(applied).toEqual([expect.objectContaining({ reason: "paid after it was closed here" })]);
      expect(await balance()).toBe(start + 800);
      expect(await ledger(order.outTradeNo)).toEqual([800]);
    });

    it("lets no secret out: no key, private key, session key or token in any log line or any answer of the journeys above", async () => {
      const secrets = await session.secrets();
      expect(secrets.length).toBeGreaterThan(0);
      expect(output.texts.length).toBeGreaterThan(0);
      expect(leaksIn(secrets, output.texts)).toEqual([]);
    });
  });
}
