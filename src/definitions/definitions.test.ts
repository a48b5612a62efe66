import { describe, expect, test } from "vitest";
import { DefinitionError, NotFoundError } from "../errors/index.js";
import { Definitions } from "./definitions.js";
import { job } from "./job.js";
import { op } from "./op.js";
import { resource } from "./resource.js";

const a = op({ name: "a" }, () => 1);
const usesDb = op({ name: "uses_db", requiredResourceKeys: ["db"] }, () => 1);
const etl = job({ name: "etl" }, () => a());
const other = job({ name: "other" }, () => a());
const sensorOf = (name: string, targets: string[], requiredResourceKeys: string[] = []) => ({ name, targetJobNames: targets, requiredResourceKeys });

describe("Definitions", () => {
  test("holds jobs, sensors and resources, with a default name", () => {
    const defs = new Definitions({ jobs: [etl, other], sensors: [sensorOf("nightly", ["etl"])], resources: { n: 3 } });
    expect(defs.name).toBe("__repository__");
    expect(defs.getJob("other")).toBe(other);
    expect(defs.getSensor("nightly").name).toBe("nightly");
    expect(Object.keys(defs.resources)).toEqual(["n"]);
    expect(new Definitions({ name: "my_location" }).jobs).toEqual([]);
  });

  test("rejects two jobs or two sensors with the same name", () => {
    expect(() => new Definitions({ jobs: [etl, other, etl] })).toThrow(
      new DefinitionError('Definitions.jobs has two jobs named "etl" (at index 0 and 2); give each job a unique name.'),
    );
    expect(() => new Definitions({ jobs: [etl], sensors: [sensorOf("s", ["etl"]), sensorOf("s", [])] })).toThrow(
      'Definitions.sensors has two sensors named "s" (at index 0 and 1); give each sensor a unique name.',
    );
  });

  test("rejects a sensor that targets a job it does not hold", () => {
    expect(() => new Definitions({ jobs: [other], sensors: [sensorOf("nightly", ["etl"])] })).toThrow(
      new DefinitionError('Sensor "nightly" targets job "etl", which is not in Definitions.jobs; add it or fix the name.'),
    );
  });

  test("rejects ops and sensors whose required resources nobody supplies", () => {
    const needsDb = job({ name: "needs_db" }, () => usesDb());
    expect(() => new Definitions({ jobs: [needsDb] })).toThrow(
      new DefinitionError('Op "uses_db" in job "needs_db" requires resource "db", which neither the job nor Definitions.resources supplies; add "db" to one of them.'),
    );
    expect(() => new Definitions({ jobs: [needsDb], resources: { db: resource({ init: () => 1 }) } })).not.toThrow();
    expect(() => new Definitions({ jobs: [etl], sensors: [sensorOf("watch", ["etl"], ["s3"])] })).toThrow(
      new DefinitionError('Sensor "watch" requires resource "s3", which is not in Definitions.resources; add it.'),
    );
  });

  test("getJob and getSensor name the missing thing and list the known ones", () => {
    const defs = new Definitions({ jobs: [etl, other] });
    expect(() => defs.getJob("nope")).toThrow(new NotFoundError("job", "nope", 'Job "nope" is not in Definitions "__repository__"; known jobs: etl, other.'));
    expect(() => defs.getSensor("nope")).toThrow('Sensor "nope" is not in Definitions "__repository__"; known sensors: (none).');
  });
});
