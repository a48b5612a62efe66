import { describe, expect, it } from "vitest";
import { ErrorCode, VigilError } from "../errors/index.js";
import { EventType } from "./event-type.js";
import {
  assertRunTransition,
  canTransitionRun,
  isTerminalRunStatus,
  RUN_STATUS_EVENT,
  RunStatus,
  runStatusForEvent,
} from "./run-status.js";
import { assertTickTransition } from "./tick.js";

describe("RunStatus transitions", () => {
  it("lets a run go through its normal life", () => {
    expect(canTransitionRun("QUEUED", "STARTING")).toBe(true);
    expect(canTransitionRun("STARTING", "STARTED")).toBe(true);
    expect(canTransitionRun("STARTED", "SUCCESS")).toBe(true);
    expect(canTransitionRun("NOT_STARTED", "STARTED")).toBe(true);
  });

  it("lets a run fail from every live status", () => {
    for (const status of ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"] as const) {
      expect(canTransitionRun(status, "FAILURE")).toBe(true);
    }
  });

  it("never lets a finished run move again", () => {
    for (const from of ["SUCCESS", "FAILURE", "CANCELED"] as const) {
      for (const to of Object.values(RunStatus)) expect(canTransitionRun(from, to)).toBe(false);
      expect(isTerminalRunStatus(from)).toBe(true);
    }
  });

  it("names the run and both statuses when a move is not allowed", () => {
    let caught: unknown;
    try {
      assertRunTransition("r1", "SUCCESS", "STARTED");
    } catch (error) {
      caught = error;
    }
    expect(VigilError.is(caught, ErrorCode.INVALID_STATUS_TRANSITION)).toBe(true);
    expect((caught as Error).message).toBe('Run "r1" cannot move from SUCCESS to STARTED; from SUCCESS it may only move to nothing (it has finished).');
    expect(() => assertRunTransition("r2", "QUEUED", "SUCCESS")).toThrow(
      'Run "r2" cannot move from QUEUED to SUCCESS; from QUEUED it may only move to STARTING, STARTED, FAILURE, CANCELING, CANCELED.',
    );
  });

  it("maps every status to its event and back", () => {
    for (const status of Object.values(RunStatus)) {
      const event = RUN_STATUS_EVENT[status];
      if (event === null) expect(status).toBe("NOT_STARTED");
      else expect(runStatusForEvent(event)).toBe(status);
    }
    expect(runStatusForEvent(EventType.STEP_START)).toBeNull();
  });
});

describe("Tick transitions", () => {
  it("lets a started tick end once and never again", () => {
    expect(() => assertTickTransition(1, "STARTED", "SUCCESS")).not.toThrow();
    expect(() => assertTickTransition(1, "STARTED", "STARTED")).not.toThrow();
    expect(() => assertTickTransition(7, "SKIPPED", "SUCCESS")).toThrow("Tick 7 cannot move from SKIPPED to SUCCESS; it has already ended.");
  });
});
