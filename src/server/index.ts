// The web UI's server: what `vigil ui` and `vigil dev` start (docs/ui.md).
export { createApp, type VigilApp } from "./app.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./start-ui-server.js";
export type { AppOptions, DefinitionsSource } from "./server-context.js";
export type * from "./api-types.js";
