import { median, type BenchRow } from "./table";

const ROUNDS = 9;
/**
 * Each round runs long enough that the clock and a stray interruption are small beside it: an AES-GCM
 * decryption takes a few microseconds, so a fixed count that suits RSA left it at 2 ms a round, and
 * the ratio swung from 0.8 to 1.9 between runs.
 */
const ROUND_MS = 25;

function cpuOf(work: () => void, operations: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < operations; i += 1) work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/** How many operations of `work` fill a round (also its warm-up). */
function operationsPerRound(work: () => void): number {
  let operations = 16;
  while (cpuOf(work, operations) < ROUND_MS / 4) operations *= 2;
  return operations * 4;
}

/** One operation done by our code and by another library. */
export type Pair = [name: string, ours: () => void, theirs: () => void];

/**
 * SPEC §11: the same work as a reference library, alternating rounds on the same inputs; the row is the
 * median of theirs / ours (≥ 0.9 means at least 0.9x their speed).
 */
export function sideBySide(library: string, pairs: Pair[]): BenchRow[] {
  return pairs.map(([name, ours, theirs]) => {
    const operations = operationsPerRound(theirs);
    cpuOf(ours, operations);
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) ratios.push(cpuOf(theirs, operations) / cpuOf(ours, operations));
    const ratio = median(ratios);
    return { name: `${name}: speed vs ${library} (x)`, value: ratio, target: "≥ 0.9", ok: ratio >= 0.9 };
  });
}
