// "Multi-asset sensors": a run once both table_a and table_b were materialized since the last one.
import { AssetMaterialization, EventType, RunRequest, SkipReason, job, multiAssetSensor, op, sensor } from "vigil";
import { myJob } from "./my-job.js";

// The guide's pattern: a plain sensor, the instance's event log and a JSON cursor.
export const multiAssetSensorExample = sensor({ name: "multi_asset_sensor", job: myJob }, async function* (context) {
  const cursorDict = (context.cursor ? JSON.parse(context.cursor) : {}) as { a?: number; b?: number };
  const aCursor = cursorDict.a;
  const bCursor = cursorDict.b;

  const aEventRecords = await context.instance.getEventRecords({
    eventType: EventType.ASSET_MATERIALIZATION,
    assetKey: "table_a",
    afterCursor: aCursor,
    ascending: false,
    limit: 1,
  });
  const bEventRecords = await context.instance.getEventRecords({
    eventType: EventType.ASSET_MATERIALIZATION,
    assetKey: "table_b",
    afterCursor: bCursor,
    ascending: false,
    limit: 1,
  });

  const [aRecord] = aEventRecords;
  const [bRecord] = bEventRecords;
  if (!aRecord || !bRecord) {
    return;
  }

  // make sure we only generate events if both table_a and table_b have been materialized since
  // the last evaluation.
  yield new RunRequest({ runKey: undefined });

  // update the sensor cursor by combining the individual event cursors from the two separate
  // asset event streams
  context.updateCursor(
    JSON.stringify({
      a: aRecord.storageId,
      b: bRecord.storageId,
    }),
  );
});

// The same with multiAssetSensor, whose cursor Vigil keeps.
export const tablesAAndB = multiAssetSensor({ name: "tables_a_and_b", monitoredAssets: ["table_a", "table_b"], job: myJob }, async (context) => {
  const latest = await context.latestMaterializationRecordsByKey();
  if (!latest["table_a"] || !latest["table_b"]) return new SkipReason("Waiting for both table_a and table_b.");
  await context.advanceAllCursors();
  return new RunRequest();
});

/** Jobs that materialize the two tables. */
const buildTableA = op({ name: "build_table_a" }, (context) => context.logEvent(new AssetMaterialization({ assetKey: "table_a" })));
const buildTableB = op({ name: "build_table_b" }, (context) => context.logEvent(new AssetMaterialization({ assetKey: "table_b" })));
export const tableAJob = job({ name: "table_a_job" }, () => buildTableA());
export const tableBJob = job({ name: "table_b_job" }, () => buildTableB());
