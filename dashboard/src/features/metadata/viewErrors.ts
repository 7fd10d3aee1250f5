import { ApiError } from "../../api/client";

/** A failed view request in one line: the server's reason, or that it did not answer. */
export function errorLine(error: unknown): string {
  return error instanceof ApiError ? error.message : "The Waypost server did not answer; is it running?";
}
