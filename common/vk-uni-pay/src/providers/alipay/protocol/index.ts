/**
 * Alipay OpenAPI v2 (gateway.do, RSA2) protocol functions: pure, node:crypto only, no I/O.
 *
 * @see https://opendocs.alipay.com/common/02kf5q
 */
export * from "./errors";
export * from "./keys";
export * from "./sign";
export * from "./response";
export * from "./notify";
export * from "./cert-sn";
export * from "./mapping";
export * from "./request";
export * from "./cert-chain";
