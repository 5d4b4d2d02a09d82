/** `yyyy-MM-dd'T'HH:mm:ss.SSS+0800`, as Huawei writes finishTime (callback example `2023-02-23T10:05:17.000+0800`). */
export function huaweiFinishTime(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 23)}+0800`;
}

/** `yyyy-MM-dd HH:mm:ss` (Beijing), as the callback examples write callbackTime. */
export function callbackTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}
