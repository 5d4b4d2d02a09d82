import { median, type BenchRow } from "./table";

const OPERATIONS = 400;
const ROUNDS = 5;

function cpuOf(work: () => void): number {
  const started = process.cpuUsage();
  for (let i = 0; i < OPERATIONS; i += 1) work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/** One operation done by our code and by another library. */
export type Pair = [name: string, ours: () => void, theirs: () => void];

/**
 * SPEC §11: the same work as a reference library, alternating rounds on the same inputs; the row is the
 * median of theirs / ours (≥ 0.9 means at least 0.9x their speed).
 */
export function sideBySide(library: string, pairs: Pair[]): BenchRow[] {
  return pairs.map(([name, ours, theirs]) => {
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) ratios.push(cpuOf(theirs) / cpuOf(ours));
    const ratio = median(ratios);
    return { name: `${name}: speed vs ${library} (x)`, value: ratio, target: "≥ 0.9", ok: ratio >= 0.9 };
  });
}
