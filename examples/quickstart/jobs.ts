// Two jobs: process_file counts a file's lines and words and materializes the asset
// "file_reports"; summarize_reports (launched by an asset sensor) totals every report.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { AssetMaterialization, job, op } from "vigil";
import { inboxDir, reportsDir } from "./paths.js";

/** What process_file learns about a file. */
export interface FileReport {
  file: string;
  lines: number;
  words: number;
}

const readFile = op({ name: "read_file", config: z.object({ file: z.string() }) }, (context): FileReport => {
  const file = context.opConfig.file;
  const text = readFileSync(join(inboxDir(), file), "utf8");
  // An empty file fails the run, so the run failure sensor has something to report.
  if (text.trim() === "") throw new Error(`"${file}" is empty; there is nothing to process.`);
  const report = { file, lines: text.split("\n").filter((l) => l.trim() !== "").length, words: text.split(/\s+/).filter(Boolean).length };
  context.log.info(`${file}: ${report.lines} line(s), ${report.words} word(s)`);
  return report;
});

const writeReport = op({ name: "write_report" }, (context, report: FileReport) => {
  mkdirSync(reportsDir(), { recursive: true });
  writeFileSync(join(reportsDir(), `${basename(report.file)}.json`), `${JSON.stringify(report, null, 2)}\n`);
  context.logEvent(new AssetMaterialization({ assetKey: "file_reports", metadata: { file: report.file, lines: report.lines, words: report.words } }));
});

/** Processes one file of the inbox: read it, then write its report. */
export const processFileJob = job({ name: "process_file", description: "Counts the lines and words of one inbox file and writes its report." }, () =>
  writeReport(readFile()),
);

const summarize = op({ name: "summarize", config: z.object({ trigger: z.string() }) }, (context) => {
  const reports = readdirSync(reportsDir())
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(reportsDir(), f), "utf8")) as FileReport);
  const words = reports.reduce((sum, r) => sum + r.words, 0);
  context.log.info(`After ${context.opConfig.trigger}: ${reports.length} report(s), ${words} word(s) in total.`);
  return { reports: reports.length, words };
});

/** Totals every report; launched each time "file_reports" is materialized. */
export const summarizeJob = job({ name: "summarize_reports", description: "Totals every report." }, () => summarize());
