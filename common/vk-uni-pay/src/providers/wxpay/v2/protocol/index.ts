/**
 * The WeChat Pay API v2 protocol layer: XML, MD5 / HMAC-SHA256 signatures, `req_info` decryption, client
 * pay parameters and the status tables. Pure functions, no I/O; the adapter and the sandbox build on them.
 */
export * from "./xml";
export * from "./sign";
export * from "./req-info";
export * from "./pay-params";
export * from "./mapping";
