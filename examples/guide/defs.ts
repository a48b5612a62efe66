// "Once my_directory_sensor is added to a repository with log_file_job": every guide sensor and
// the jobs they target, as one Definitions (what `vigil -f examples/guide/defs.ts` loads).
import { Definitions } from "vigil";
import { logFileJob } from "./log-file-job.js";
import { myJob } from "./my-job.js";
import { myDirectorySensor, myRunningSensor } from "./directory-sensor.js";
import { myDirectorySensorCursor } from "./cursor-sensor.js";
import { sensorA, sensorB } from "./intervals.js";
import { myDirectorySensorWithSkipReasons } from "./skip-reasons.js";
import { sensorToTest } from "./sensor-to-test.js";
import { myAssetSensor, myTableJob } from "./asset-sensor.js";
import { multiAssetSensorExample, tableAJob, tableBJob, tablesAAndB } from "./multi-asset-sensor.js";
import { myNotifyOnRunSuccess } from "./run-status-sensor.js";
import { myNotifyOnRunFailure } from "./failure-sensor.js";
import { myEmailFailureSensor, myEmailSensor, myJobFails, myJobSucceeds } from "./testing-run-status-sensors.js";
import { theCredentials, theDbConnection, usesDbConnection, usesDbResource } from "./resources.js";

export const defs = new Definitions({
  jobs: [logFileJob, myJob, myTableJob, tableAJob, tableBJob, myJobSucceeds, myJobFails],
  sensors: [
    myDirectorySensor,
    myRunningSensor,
    myDirectorySensorCursor,
    sensorA,
    sensorB,
    myDirectorySensorWithSkipReasons,
    sensorToTest,
    myAssetSensor,
    multiAssetSensorExample,
    tablesAAndB,
    myNotifyOnRunSuccess,
    myNotifyOnRunFailure,
    myEmailSensor,
    myEmailFailureSensor,
    usesDbConnection,
    usesDbResource,
  ],
  resources: { db_connection: theDbConnection, credentials: theCredentials },
});

export default defs;
