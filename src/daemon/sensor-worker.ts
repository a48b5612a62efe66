// The body of a sensor worker thread (see `worker-evaluator.ts`): loads the definitions module and
// an instance on the daemon's storage once, then evaluates the sensors it is asked to, one at a
// time. Killing the thread is how a stuck evaluation is stopped.
import { parentPort, workerData } from "node:worker_threads";
import { Instance } from "../instance/instance.js";
import { readOnlyView } from "../instance/preview-sensor.js";
import { evaluateOnce, failed, type EvaluationOutcome, type EvaluationRequest } from "./evaluate-sensor.js";
import { loadDefinitionsModule } from "../launchers/definitions-module.js";
import type { SensorLogEntry } from "../definitions/sensor-log.js";

/** @internal What the daemon passes to a sensor worker. */
export interface SensorWorkerData {
  modulePath: string;
  /** The instance home to open (`Instance.open`), so `context.instance` reads the daemon's storage. */
  home: string;
  /** Give sensors a view of the instance with nothing that writes (previews). */
  readOnly?: boolean;
}

/** @internal A request to a worker, and its answer. */
export interface SensorWorkerMessage {
  id: number;
  request: EvaluationRequest;
}
/** The evaluation's outcome, or one line its sensor logged (sent as it is written, before the outcome). */
export type SensorWorkerReply = { id: number; outcome: EvaluationOutcome } | { id: number; log: SensorLogEntry };
/** Sent once, when the module and the instance are loaded (or failed to): the worker is warm. */
export interface SensorWorkerReady {
  ready: true;
}

const port = parentPort;
if (port !== null) {
  const data = workerData as SensorWorkerData;
  const ready = Promise.all([loadDefinitionsModule(data.modulePath), Instance.open(data.home)]);
  // A failed load is reported by every evaluation; nothing is unhandled meanwhile.
  void ready.then(
    () => port.postMessage({ ready: true } satisfies SensorWorkerReady),
    () => port.postMessage({ ready: true } satisfies SensorWorkerReady),
  );
  port.on("message", (message: SensorWorkerMessage) => {
    void (async () => {
      let outcome: EvaluationOutcome;
      try {
        const [definitions, instance] = await ready;
        outcome = await evaluateOnce(definitions, data.readOnly === true ? readOnlyView(instance) : instance, message.request, (log) => port.postMessage({ id: message.id, log } satisfies SensorWorkerReply));
      } catch (error) {
        outcome = failed(error);
      }
      port.postMessage({ id: message.id, outcome } satisfies SensorWorkerReply);
    })();
  });
}
