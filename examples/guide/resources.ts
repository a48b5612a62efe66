// "Using resources in sensors": build resources inside the sensor with buildResources (disposed
// however the sensor ends), or name them in requiredResourceKeys and read context.resources.
import { RunRequest, SkipReason, buildResources, resource, sensor } from "vigil";
import { myJob } from "./my-job.js";

/** A stand-in database: a connection that answers one query. */
export interface DbConnection {
  readonly user: string;
  newRows(): string[];
  close(): void;
}

export const pendingRows: string[] = [];
export const connectionLog: string[] = [];

export const theCredentials = resource({ init: () => ({ user: "sensor", password: "secret" }) });

export const theDbConnection = resource({
  requiredResourceKeys: ["credentials"],
  init: ({ resources }): DbConnection => {
    const { user } = resources.credentials as { user: string };
    connectionLog.push(`open as ${user}`);
    return { user, newRows: () => pendingRows.splice(0), close: () => connectionLog.push("close") };
  },
  teardown: (conn) => conn.close(),
});

export const usesDbConnection = sensor({ name: "uses_db_connection", job: myJob }, async () => {
  const resources = await buildResources({ db_connection: theDbConnection, credentials: theCredentials });
  try {
    const conn = resources.db_connection;
    const rows = conn.newRows();
    return rows.length ? rows.map((row) => new RunRequest({ runKey: row })) : new SkipReason("No new rows.");
  } finally {
    await resources.dispose();
  }
});

// Vigil's own way: the sensor names the resource; Definitions (or buildSensorContext) supplies it.
export const usesDbResource = sensor({ name: "uses_db_resource", job: myJob, requiredResourceKeys: ["db_connection"] }, (context) => {
  const conn = context.resources.db_connection as DbConnection;
  const rows = conn.newRows();
  return rows.length ? rows.map((row) => new RunRequest({ runKey: row })) : new SkipReason("No new rows.");
});
