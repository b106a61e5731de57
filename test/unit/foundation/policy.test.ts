import { describe, expect, it } from "vitest";
import { assertAllowed, assertInSubtree, inSubtree, isAllowed } from "../../../src/auth/policy.ts";
import type { Principal } from "../../../src/auth/principal.ts";
import { AppError } from "../../../src/errors.ts";

const principal = (over: Partial<Principal>): Principal => ({
  actorType: "API_KEY", actorId: "k", actorLabel: "key:hw_x", orgId: "d", orgKind: "DISTRICT_UNION", orgName: "吴江区总工会", orgPath: "/c/d/", role: "STAFF", ...over,
});

describe("authorisation policy", () => {
  it("orders roles READ_ONLY < STAFF < ADMIN and checks kinds", () => {
    const access = { kinds: ["DISTRICT_UNION"], minRole: "STAFF" } as const;
    expect(isAllowed(principal({ role: "STAFF" }), access)).toBe(true);
    expect(isAllowed(principal({ role: "ADMIN" }), access)).toBe(true);
    expect(isAllowed(principal({ role: "READ_ONLY" }), access)).toBe(false);
    expect(isAllowed(principal({ orgKind: "ENTERPRISE_UNION" }), access)).toBe(false);
    expect(() => assertAllowed(principal({ role: "READ_ONLY" }), access)).toThrow(AppError);
  });

  it("matches subtrees by whole path segments, not string prefixes of ids", () => {
    const p = principal({ orgPath: "/c/d/" });
    expect(inSubtree(p, "/c/d/")).toBe(true);
    expect(inSubtree(p, "/c/d/e/")).toBe(true);
    expect(inSubtree(p, "/c/dd/")).toBe(false);
    expect(inSubtree(p, "/c/")).toBe(false);
  });

  it("answers 404, not 403, outside the subtree", () => {
    const error = (() => {
      try {
        assertInSubtree(principal({}), "/c/other/");
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(error?.status).toBe(404);
  });
});
