import { faultPlanFrom, parseHttpFaults, parseWriteConflicts } from "../../scripts/uni-cloud-mock/src/faults/plan";

/** The fault mode's own rules: off by default, shares honoured, bad settings refused at start. */
describe("the emulator's fault plan", () => {
  it("injects nothing unless the environment asks", () => {
    const plan = faultPlanFrom({});
    for (let i = 0; i < 1000; i += 1) {
      expect(plan.writeConflict()).toBe(false);
      expect(plan.httpFault()).toBeUndefined();
    }
  });

  it("fails about the configured share of commits and calls, replayably by seed", () => {
    const env = { UNICLOUD_WRITE_CONFLICTS: "0.2", UNICLOUD_HTTP_FAULTS: "timeout=0.1,reset=0.1,5xx=0.1,lost=0.1", UNICLOUD_FAULT_SEED: "7" };
    const draw = () => {
      const plan = faultPlanFrom(env);
      return { conflicts: Array.from({ length: 5000 }, () => plan.writeConflict()), calls: Array.from({ length: 5000 }, () => plan.httpFault()) };
    };
    const first = draw();
    const share = (items: unknown[], match: (item: unknown) => boolean) => items.filter(match).length / items.length;
    expect(share(first.conflicts, Boolean)).toBeCloseTo(0.2, 1);
    for (const fault of ["timeout", "reset", "5xx", "lost"]) expect(share(first.calls, (item) => item === fault)).toBeCloseTo(0.1, 1);
    expect(draw()).toEqual(first);
  });

  it("reads the overlap rule alone or with a share, and keeps it off by default", () => {
    expect(parseWriteConflicts(undefined)).toEqual({ share: 0, overlap: false });
    expect(parseWriteConflicts("overlap")).toEqual({ share: 0, overlap: true });
    expect(parseWriteConflicts("overlap, 0.1")).toEqual({ share: 0.1, overlap: true });
    expect(parseWriteConflicts("0.1")).toEqual({ share: 0.1, overlap: false });
    expect(faultPlanFrom({ UNICLOUD_WRITE_CONFLICTS: "overlap" }).writeConflict()).toBe(false);
    expect(faultPlanFrom({}).overlapConflicts).toBe(false);
  });

  it("refuses unknown faults and shares outside 0..1", () => {
    expect(() => parseHttpFaults("slow=0.1")).toThrow(/knows timeout/);
    expect(() => parseHttpFaults("timeout=2")).toThrow(/between 0 and 1/);
    expect(() => parseHttpFaults("timeout=0.6,lost=0.6")).toThrow(/more than 1/);
    expect(() => faultPlanFrom({ UNICLOUD_WRITE_CONFLICTS: "often" })).toThrow(/UNICLOUD_WRITE_CONFLICTS/);
    expect(() => faultPlanFrom({ UNICLOUD_WRITE_CONFLICTS: "overlaps" })).toThrow(/UNICLOUD_WRITE_CONFLICTS/);
  });
});
