// Catches accidental additions to (and removals from) the public API: SPEC §1 names, nothing else.
import { describe, expect, it } from "vitest";

describe("the vigil entry point", () => {
  it("exports exactly the public API", async () => {
    const keys = Object.keys(await import("vigil")).sort();
    expect(keys).toEqual([
      "AssetKey", "AssetMaterialization", "AssetSensorDefinition", "Daemon", "DefaultSensorStatus", "DefinitionError",
      "Definitions", "ErrorCode", "EventType", "Instance", "InstanceConfigError", "InvalidArgumentError",
      "InvalidStatusTransitionError", "ManualClock", "MultiAssetSensorDefinition", "MultiAssetSensorEvaluationContext",
      "NotFoundError", "ResourceConfigError", "RunConfigValidationError", "RunFailureSensorContext", "RunRequest",
      "RunStatus", "RunStatusSensorContext", "RunStatusSensorDefinition", "RunTag", "SensorDefinition",
      "SensorEvaluationContext", "SensorResult", "SensorStatus", "SkipReason", "StorageError", "SystemClock",
      "TickStatus", "TickStep", "TimeoutError", "UserCodeError", "VigilError", "assetSensor", "buildResources",
      "buildRunStatusSensorContext", "buildSensorContext", "job", "multiAssetSensor", "op", "resource",
      "runFailureSensor", "runRequestFor", "runStatusSensor", "sensor", "validateRunConfig", "withResources",
    ]);
  });

  it("keeps its subpath exports for integrations", async () => {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports)).toEqual([".", "./slack", "./email", "./aws", "./package.json"]);
  });
});
