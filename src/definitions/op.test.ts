import { describe, expect, test } from "vitest";
import { z } from "zod";
import { DefinitionError, InvalidArgumentError } from "../errors/index.js";
import { job } from "./job.js";
import { op } from "./op.js";

const extract = op({ name: "extract" }, async () => [1, 2, 3]);
const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));

describe("op", () => {
  test("keeps its options as a frozen definition", () => {
    const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }), description: "d", requiredResourceKeys: ["db"], tags: { team: "data" } }, () => 42);
    expect(processFile.name).toBe("process_file");
    expect(processFile.description).toBe("d");
    expect(processFile.requiredResourceKeys).toEqual(["db"]);
    expect(processFile.tags).toEqual({ team: "data" });
    expect(processFile.config).not.toBeNull();
    expect(Object.isFrozen(processFile)).toBe(true);
  });

  test("rejects a name with characters other than letters, digits and underscores", () => {
    expect(() => op({ name: "bad name" }, () => 1)).toThrow(new DefinitionError('Op name "bad name" is invalid; use only letters, digits and underscores (^[A-Za-z0-9_]+$).'));
    expect(() => op({ name: "" }, () => 1)).toThrow('Op name "" is invalid');
  });

  test("refuses to be called outside a job body", () => {
    expect(() => extract()).toThrow(
      new InvalidArgumentError('Op "extract" was called outside a job body; call ops only inside job({ name }, () => { ... }), where a call adds the op to the job\'s graph.'),
    );
  });

  test("refuses an argument that is not an output handle", () => {
    const call = () =>
      job({ name: "wrong_args" }, () => {
        (total as unknown as (x: unknown) => void)([1, 2]);
      });
    expect(call).toThrow(
      new InvalidArgumentError('Op "total" in job "wrong_args" got an array as input 1; pass only values returned by calling other ops inside the same job body.'),
    );
  });

  test("refuses a handle that comes from another job's body", () => {
    let leaked: unknown;
    job({ name: "first" }, () => {
      leaked = extract();
    });
    const call = () =>
      job({ name: "second" }, () => {
        (total as unknown as (x: unknown) => void)(leaked);
      });
    expect(call).toThrow('Op "total" in job "second" got the output of op "extract" from job "first" as input 1; pass only values returned by calling other ops inside the same job body.');
  });
});

describe("job", () => {
  test("records nodes and dependencies from the body", () => {
    const etl = job({ name: "etl", tags: { owner: "me" } }, () => total(extract()));
    expect(etl.nodes.map((n) => n.name)).toEqual(["extract", "total"]);
    expect(etl.dependencies).toEqual({ extract: [], total: ["extract"] });
    expect(etl.tags).toEqual({ owner: "me" });
  });

  test("aliases the second and third call of an op as name_2 and name_3", () => {
    const many = job({ name: "many" }, () => {
      total(extract());
      total(extract());
      extract();
    });
    expect(many.nodes.map((n) => n.name)).toEqual(["extract", "total", "extract_2", "total_2", "extract_3"]);
    expect(many.dependencies.total_2).toEqual(["extract_2"]);
  });

  test("rejects a job defined inside another job's body", () => {
    const call = () => job({ name: "outer" }, () => job({ name: "inner" }, () => extract()));
    expect(call).toThrow(new DefinitionError('Job "inner" was defined inside the body of job "outer"; define jobs at module level, not inside another job\'s body.'));
    // The failed definition leaves no graph builder behind.
    expect(() => extract()).toThrow('Op "extract" was called outside a job body');
  });

  test("rejects an async body", () => {
    expect(() => job({ name: "async_body" }, async () => extract())).toThrow(
      'The body of job "async_body" returned a promise; a job body must be synchronous (it only wires ops together), so remove "async" from it.',
    );
  });

  test("rejects a bad job name", () => {
    expect(() => job({ name: "my-job" }, () => undefined)).toThrow(new DefinitionError('Job name "my-job" is invalid; use only letters, digits and underscores (^[A-Za-z0-9_]+$).'));
  });
});
