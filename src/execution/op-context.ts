import type { OpContext, OpLogger } from "../definitions/op-context.js";
import { AssetMaterialization, EventType, type LogLevel } from "../model/index.js";
import { InvalidArgumentError } from "../errors/index.js";
import type { RunEventWriter } from "./event-writer.js";

/** @internal What an op's context is built from. */
export interface OpContextInit {
  readonly runId: string;
  readonly jobName: string;
  readonly opName: string;
  readonly opConfig: unknown;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly writer: RunEventWriter;
}

/** @internal A logger whose lines become LOG events (of `stepKey` when given). */
export function createEventLogger(writer: RunEventWriter, stepKey: string | undefined): OpLogger {
  const log = (level: LogLevel) => (message: string) => {
    writer.emit({ stepKey, level, message: String(message), event: { eventType: EventType.LOG } });
  };
  return Object.freeze({ debug: log("DEBUG"), info: log("INFO"), warning: log("WARNING"), error: log("ERROR") });
}

/** @internal Builds the context one op's function receives. */
export function createOpContext(init: OpContextInit): OpContext<unknown, Readonly<Record<string, unknown>>> {
  const { writer, opName } = init;
  return Object.freeze({
    opConfig: init.opConfig,
    log: createEventLogger(writer, opName),
    runId: init.runId,
    jobName: init.jobName,
    opName,
    resources: init.resources,
    logEvent(event: AssetMaterialization): void {
      if (!(event instanceof AssetMaterialization)) {
        throw new InvalidArgumentError(`Op "${opName}" passed ${event === null ? "null" : typeof event} to context.logEvent(); pass a new AssetMaterialization({ assetKey }).`);
      }
      const data = event.toData();
      writer.emit({
        stepKey: opName,
        level: "INFO",
        message: `Materialized asset "${event.assetKey.toString()}".`,
        event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: data.assetKey, materialization: data },
      });
    },
  });
}
