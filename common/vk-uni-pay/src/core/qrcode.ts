import { toDataURL } from "qrcode";

/** A data-URL PNG of a payment link, for pages (nvue, IoT screens) that cannot draw QR codes themselves. */
export function qrcodeDataUrl(text: string): Promise<string> {
  return toDataURL(text, { errorCorrectionLevel: "M", margin: 2, width: 300 });
}
