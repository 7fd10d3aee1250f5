// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";

import { takeEarly } from "./early";

function answer(body: unknown, status = 200): Promise<Response> {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => {
  window.__wpEarly = undefined;
});

describe("takeEarly", () => {
  it("hands over the answer early.js asked for, once", async () => {
    window.__wpEarly = { "graph r1": { project: null, response: answer({ steps: [1, 2] }) } };
    await expect(takeEarly("graph", "r1", undefined)).resolves.toEqual({ steps: [1, 2] });
    await expect(takeEarly("graph", "r1", undefined)).resolves.toBeUndefined(); // a refetch asks the server
  });

  it("leaves other reads to the API client", async () => {
    window.__wpEarly = {
      "graph r1": { project: null, response: answer({ steps: [] }) },
      "run r1": { project: "ml/vision", response: answer({ id: "r1" }) },
    };
    await expect(takeEarly("graph", "r2", undefined)).resolves.toBeUndefined(); // another run
    await expect(takeEarly("run", "r1", undefined)).resolves.toBeUndefined(); // asked in another project
    await expect(takeEarly("run", "r1", "ml/vision")).resolves.toBeUndefined(); // and not kept for later
    await expect(takeEarly("graph", "r1", undefined)).resolves.toEqual({ steps: [] });
  });

  it("gives nothing for a refusal or a network failure, so the client's errors apply", async () => {
    const failed = Promise.reject(new TypeError("network"));
    failed.catch(() => undefined);
    window.__wpEarly = {
      "run gone": { project: null, response: answer({ detail: "No run 'gone' exists." }, 404) },
      "graph r1": { project: null, response: failed },
    };
    await expect(takeEarly("run", "gone", undefined)).resolves.toBeUndefined();
    await expect(takeEarly("graph", "r1", undefined)).resolves.toBeUndefined();
  });
});
