/**
 * Error codes the emulated database throws. `DUPLICATE_KEY` is the clientDB/JQL code for what the classic
 * API reports as an `InternalServerError` carrying MongoDB's "E11000 ... dup key" text; the message keeps
 * that text so code that sniffs it (VK's `_id_ dup key` check) behaves as it does in the cloud.
 */
export type DatabaseErrorCode =
  "DUPLICATE_KEY" | "INVALID_PARAM" | "DOCUMENT_TOO_LARGE" | "DATABASE_BUSY" | "TRANSACTION_ERROR" | "WRITE_CONFLICT" | "SYSTEM_ERROR";

/** A uniCloud-style database error: string `errCode`, `errMsg`, plus the deprecated `code`/`message` pair. */
export class DatabaseError extends Error {
  readonly errCode: DatabaseErrorCode;
  readonly errMsg: string;
  readonly code: DatabaseErrorCode;
  readonly detail?: unknown;

  constructor(errCode: DatabaseErrorCode, errMsg: string, detail?: unknown) {
    super(errMsg);
    this.name = "DatabaseError";
    this.errCode = errCode;
    this.errMsg = errMsg;
    this.code = errCode;
    if (detail !== undefined) this.detail = detail;
  }
}

export function invalidParam(message: string): DatabaseError {
  return new DatabaseError("INVALID_PARAM", message);
}
