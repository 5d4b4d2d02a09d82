/** A data-URL PNG of a payment link, for pages (nvue, IoT screens) that cannot draw QR codes themselves. */
export async function qrcodeDataUrl(text: string): Promise<string> {
  // Loaded on first use: most calls never need an image, and a cold start should not pay for it.
  const { toDataURL } = await import("qrcode");
  return toDataURL(text, { errorCorrectionLevel: "M", margin: 2, width: 300 });
}
