/** A uniCloud system error (what a client sees as a failed callFunction, not a business error). */
export class UniCloudError extends Error {
  readonly errCode: string;
  readonly errMsg: string;
  readonly httpStatus: number;

  constructor(errCode: string, errMsg: string, httpStatus = 500) {
    super(errMsg);
    this.name = "UniCloudError";
    this.errCode = errCode;
    this.errMsg = errMsg;
    this.httpStatus = httpStatus;
  }
}
