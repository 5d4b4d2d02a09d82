export interface BenchRow {
  name: string;
  value: number;
  target: string;
  ok: boolean;
  /** Printed instead of the value when one number does not say it (p50 / p99). */
  detail?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function printTable(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`${"measure".padEnd(width)}  ${"value".padStart(10)}  target      result`);
  for (const row of rows) {
    console.log(`${row.name.padEnd(width)}  ${(row.detail ?? row.value.toFixed(2)).padStart(10)}  ${row.target.padEnd(10)}  ${row.ok ? "ok" : "MISSED"}`);
  }
}
