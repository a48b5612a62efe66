import { describe, expect, test } from "vitest";
import { job } from "../definitions/job.js";
import { op } from "../definitions/op.js";
import { buildExecutionPlan } from "./plan.js";

describe("buildExecutionPlan", () => {
  test("orders each op after the ops whose outputs it takes", () => {
    const a = op({ name: "a" }, () => 1);
    const b = op({ name: "b" }, () => 2);
    const sum = op({ name: "sum" }, (_ctx, x: number, y: number) => x + y);
    const j = job({ name: "diamond" }, () => sum(sum(a(), b()), a()));
    const plan = buildExecutionPlan(j);
    expect(plan.steps.map((s) => [s.key, s.upstream])).toEqual([
      ["a", []],
      ["b", []],
      ["a_2", []],
      ["sum", ["a", "b"]],
      ["sum_2", ["sum", "a_2"]],
    ]);
  });
});
