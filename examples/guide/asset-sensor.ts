// "Asset sensors": launch my_job for each new materialization of "my_table". The cursor (the
// storage id of the last materialization handled) is managed by Vigil, so it makes a unique run key.
import { AssetMaterialization, RunRequest, assetSensor, job, op } from "vigil";
import { myJob } from "./my-job.js";

export const myAssetSensor = assetSensor({ name: "my_asset_sensor", assetKey: "my_table", job: myJob }, function* (context, assetEvent) {
  yield new RunRequest({
    runKey: context.cursor!,
    runConfig: {
      ops: {
        read_materialization: {
          config: {
            asset_key: assetEvent.event!.assetKey!.path,
          },
        },
      },
    },
  });
});

/** A job that materializes "my_table", to trigger the sensor. */
export const buildMyTable = op({ name: "build_my_table" }, (context) => {
  context.logEvent(new AssetMaterialization({ assetKey: "my_table", metadata: { rows: 10 } }));
});
export const myTableJob = job({ name: "my_table_job" }, () => buildMyTable());
