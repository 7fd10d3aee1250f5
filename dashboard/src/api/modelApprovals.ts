import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { type SettableStage, modelKeys } from "./models";
import type { components } from "./schema";

type S = components["schemas"];
export type ApprovalPolicy = S["ApprovalPolicy"];
export type StageRequest = S["TransitionRequestRead"];
export type StageRequestResult = S["StageRequestResult"];
export type PromotionRule = S["PromotionRuleRead"];
export type PromotionRuleCreate = S["PromotionRuleCreate"];
export type PromotionRuleUpdate = S["PromotionRuleUpdate"];
export type RuleDryRun = S["RuleDryRun"];
export type RuleStage = PromotionRuleCreate["to_stage"];
export type RequestStatus = StageRequest["status"];

export interface RequestsParams {
  status?: RequestStatus | "all" | undefined;
  mine?: "needs_approval" | "requested" | undefined;
  /** A model's name or id. */
  model?: string | undefined;
  page?: number | undefined;
  size?: number | undefined;
}

/** Requests fit one page: a team has a handful pending, not hundreds. */
export const REQUESTS_PAGE = 200;

// Under modelKeys.all: a stage change or a decision invalidates the models and the requests together.
export const approvalKeys = {
  all: [...modelKeys.all, "approvals"] as const,
  policy: (model: string) => [...approvalKeys.all, "policy", model] as const,
  requests: (params: RequestsParams) => [...approvalKeys.all, "requests", params] as const,
  rules: (model: string) => [...approvalKeys.all, "rules", model] as const,
};

export const approvalQueries = {
  /** The stages whose transitions need approval for this model, and how many. */
  policy: (model: string) =>
    queryOptions({
      queryKey: approvalKeys.policy(model),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}/approval-policy", { params: { path: { model } }, signal })),
      staleTime: 30_000,
    }),
  requests: (params: RequestsParams) =>
    queryOptions({
      queryKey: approvalKeys.requests(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/model-requests", {
            params: {
              query: {
                status: params.status ?? "pending",
                page: params.page ?? 1,
                size: params.size ?? REQUESTS_PAGE,
                ...(params.mine ? { mine: params.mine } : {}),
                ...(params.model ? { model: params.model } : {}),
              },
            },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  rules: (model: string) =>
    queryOptions({
      queryKey: approvalKeys.rules(model),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}/rules", { params: { path: { model } }, signal })),
    }),
};

/** Ask for a version to be put in a stage: a pending request when the policy wants approval, else done now. */
export async function requestStage(model: string, version: string, change: { stage: SettableStage; force?: boolean; reason?: string }): Promise<StageRequestResult> {
  const body = { stage: change.stage, force: !!change.force, ...(change.reason?.trim() ? { reason: change.reason.trim() } : {}) };
  return unwrap(await api.POST("/api/v1/models/{model}/versions/{version}/stage-requests", { params: { path: { model, version } }, body }));
}

/** Approve or reject a pending request, with an optional comment. */
export async function decideRequest(id: string, decision: "approve" | "reject", comment: string): Promise<StageRequest> {
  const body = comment.trim() ? { comment: comment.trim() } : {};
  const params = { path: { request_id: id } };
  return unwrap(
    decision === "approve"
      ? await api.POST("/api/v1/model-requests/{request_id}/approve", { params, body })
      : await api.POST("/api/v1/model-requests/{request_id}/reject", { params, body }),
  );
}

export async function createRule(model: string, rule: PromotionRuleCreate): Promise<PromotionRule> {
  return unwrap(await api.POST("/api/v1/models/{model}/rules", { params: { path: { model } }, body: rule }));
}

export async function updateRule(model: string, rule: string, change: PromotionRuleUpdate): Promise<PromotionRule> {
  return unwrap(await api.PATCH("/api/v1/models/{model}/rules/{rule}", { params: { path: { model, rule } }, body: change }));
}

export async function deleteRule(model: string, rule: string): Promise<void> {
  const result = await api.DELETE("/api/v1/models/{model}/rules/{rule}", { params: { path: { model, rule } } });
  if (!result.response.ok) unwrap(result);
}

/** The versions a rule would promote now; nothing changes. */
export async function dryRunRule(model: string, rule: string): Promise<RuleDryRun> {
  return unwrap(await api.POST("/api/v1/models/{model}/rules/{rule}/dry-run", { params: { path: { model, rule } } }));
}
