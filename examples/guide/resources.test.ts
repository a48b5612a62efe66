import { describe, expect, it } from "vitest";
import { buildResources, buildSensorContext } from "vigil";
import { connectionLog, pendingRows, theCredentials, theDbConnection, usesDbConnection, usesDbResource } from "./resources.js";
import { defs } from "./defs.js";

describe("resources in sensors", () => {
  it("builds resources inside the sensor with buildResources and disposes them", async () => {
    connectionLog.length = 0;
    pendingRows.push("row1", "row2");
    const { runRequests } = await usesDbConnection.evaluate();
    expect(runRequests.map((r) => r.runKey)).toEqual(["row1", "row2"]);
    expect(connectionLog).toEqual(["open as sensor", "close"]);
    expect((await usesDbConnection.evaluate()).skipReason?.message).toBe("No new rows.");
  });

  it("gives context.resources the resources the sensor names, disposed after the evaluation", async () => {
    connectionLog.length = 0;
    pendingRows.push("row3");
    const context = buildSensorContext({ resources: { db_connection: theDbConnection, credentials: theCredentials } });
    expect((await usesDbResource.evaluate(context)).runRequests.map((r) => r.runKey)).toEqual(["row3"]);
    expect(connectionLog).toEqual(["open as sensor", "close"]);
  });

  it("initialises resources with their dependencies outside a sensor", async () => {
    const resources = await buildResources({ db_connection: theDbConnection, credentials: theCredentials });
    try {
      expect(resources.db_connection.user).toBe("sensor");
    } finally {
      await resources.dispose();
    }
  });
});

describe("definitions", () => {
  it("holds every guide sensor with the jobs they target", () => {
    expect(defs.sensors.map((s) => s.name)).toContain("my_directory_sensor");
    expect(defs.getSensor("my_asset_sensor").targetJobNames).toEqual(["my_job"]);
  });
});
