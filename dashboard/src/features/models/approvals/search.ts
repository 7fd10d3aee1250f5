import type { RequestsParams } from "../../../api/modelApprovals";

/** The approvals page's URL search: which list (needs my approval, the default, or my requests). */
export interface ApprovalsSearch {
  view?: "requested";
}

export function validateApprovalsSearch(raw: Record<string, unknown>): ApprovalsSearch {
  return raw.view === "requested" ? { view: "requested" } : {};
}

/** What the page asks the server for; the header's count asks the same, so they share one answer. */
export function approvalsParams(search: ApprovalsSearch): RequestsParams {
  return { status: "pending", mine: search.view === "requested" ? "requested" : "needs_approval" };
}
