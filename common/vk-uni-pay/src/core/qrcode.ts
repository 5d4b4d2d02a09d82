/** A data-URL PNG of a payment link, for pages (nvue, IoT screens) that cannot draw QR codes themselves. */
export async function qrcodeDataUrl(text: string): Promise<string> {
  // Required on first use (the build ships it as a separate file): most calls never need an image,
  // and a cold start should neither parse nor run the renderer.
  const { toDataURL } = require("qrcode") as typeof import("qrcode");
  return toDataURL(text, { errorCorrectionLevel: "M", margin: 2, width: 300 });
}
