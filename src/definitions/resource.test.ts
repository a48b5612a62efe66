import { describe, expect, test } from "vitest";
import { z } from "zod";
import { ResourceConfigError } from "../config/index.js";
import { DefinitionError, UserCodeError } from "../errors/index.js";
import { buildResources, resource, withResources } from "./resource.js";

function recorder() {
  const log: string[] = [];
  const tracked = (name: string, deps: readonly string[] = [], fail = false) =>
    resource({
      requiredResourceKeys: deps,
      init: ({ resources }) => {
        log.push(`init ${name}(${deps.map((d) => String(resources[d])).join(",")})`);
        if (fail) throw new Error(`${name} is down`);
        return name.toUpperCase();
      },
      teardown: (value) => void log.push(`teardown ${value}`),
    });
  return { log, tracked };
}

describe("buildResources", () => {
  test("initialises dependencies first and tears down in reverse init order", async () => {
    const { log, tracked } = recorder();
    const r = await buildResources({ app: tracked("app", ["db", "cache"]), db: tracked("db", ["creds"]), cache: tracked("cache"), creds: tracked("creds"), n: 3 });
    expect([r.app, r.db, r.cache, r.creds, r.n]).toEqual(["APP", "DB", "CACHE", "CREDS", 3]);
    expect(log).toEqual(["init creds()", "init db(CREDS)", "init cache()", "init app(DB,CACHE)"]);
    await r.dispose();
    await r.dispose();
    expect(log.slice(4)).toEqual(["teardown APP", "teardown CACHE", "teardown DB", "teardown CREDS"]);
  });

  test("tears down what was built when a later init fails, and names the failing resource", async () => {
    const { log, tracked } = recorder();
    const build = buildResources({ a: tracked("a"), b: tracked("b", ["a"]), c: tracked("c", ["b"], true) });
    await expect(build).rejects.toThrow(new UserCodeError("resource", "c", new Error("c is down")));
    await expect(build).rejects.toMatchObject({ definitionName: "c", userMessage: "c is down", message: 'Error in resource "c": c is down' });
    expect(log).toEqual(["init a()", "init b(A)", "init c(B)", "teardown B", "teardown A"]);
  });

  test("names the cycle when resources depend on each other", async () => {
    const { tracked } = recorder();
    await expect(buildResources({ a: tracked("a", ["b"]), b: tracked("b", ["a"]) })).rejects.toThrow(
      new DefinitionError("Resources depend on each other in a cycle (a -> b -> a); remove one of these requiredResourceKeys."),
    );
  });

  test("names the resource and the missing key it requires", async () => {
    const { tracked } = recorder();
    await expect(buildResources({ db: tracked("db", ["creds"]) })).rejects.toThrow(
      new DefinitionError('Resource "db" requires resource "creds", which is not provided; add "creds" to the resources.'),
    );
  });

  test("parses config with defaults and names the resource key and path of bad config", async () => {
    const server = resource({ config: z.object({ host: z.string(), port: z.number().default(80) }), init: ({ config }) => `${config.host}:${config.port}` });
    const r = await buildResources({ server }, { config: { server: { host: "h" } } });
    expect(r.server).toBe("h:80");
    const bad = buildResources({ server }, { config: { server: { port: "x" } as never } });
    await expect(bad).rejects.toBeInstanceOf(ResourceConfigError);
    await expect(bad).rejects.toThrow(
      'Config for resource "server" is invalid (2 errors): server.host: missing required value (expected string); server.port: Invalid input: expected number, received string.',
    );
  });

  test("supports await using", async () => {
    const { log, tracked } = recorder();
    {
      await using r = await buildResources({ a: tracked("a") });
      expect(r.a).toBe("A");
    }
    expect(log).toEqual(["init a()", "teardown A"]);
  });
});

describe("withResources", () => {
  test("disposes after the callback, also when it throws", async () => {
    const { log, tracked } = recorder();
    await expect(withResources({ a: tracked("a") }, (r) => r.a + "!")).resolves.toBe("A!");
    await expect(
      withResources({ b: tracked("b") }, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(log).toEqual(["init a()", "teardown A", "init b()", "teardown B"]);
  });
});
