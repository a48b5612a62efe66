// Lint = layer boundaries (STYLE.md §1), no import cycles, no undeclared dependencies.
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

const src = "./src";
/** Each layer and the layers it must not import (the direction is cli → … → model → errors). */
const layers = {
  errors: ["model", "config", "definitions", "execution", "storage", "instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  model: ["config", "definitions", "execution", "storage", "instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  config: ["definitions", "execution", "storage", "instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  definitions: ["execution", "storage", "instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  storage: ["config", "definitions", "execution", "instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  execution: ["instance", "launchers", "coordinator", "daemon", "server", "cli", "integrations"],
  launchers: ["instance", "coordinator", "daemon", "server", "cli", "integrations", "storage/dialects"],
  coordinator: ["instance", "launchers", "daemon", "server", "cli", "integrations", "storage/dialects"],
  instance: ["daemon", "server", "cli", "integrations"],
  daemon: ["server", "cli", "integrations", "storage/dialects"],
  server: ["daemon", "cli", "integrations", "storage/dialects"],
  cli: ["integrations"],
};
const zones = Object.entries(layers).flatMap(([target, forbidden]) =>
  forbidden.map((from) => ({ target: `${src}/${target}`, from: `${src}/${from}`, message: `${target}/ may not import ${from}/ (STYLE.md §1).` })),
);
zones.push(
  { target: `${src}/storage/queries`, from: `${src}/storage/dialects`, message: "queries/ never imports dialects/." },
  { target: `${src}/storage/dialects/sqlite.ts`, from: `${src}/storage/dialects/postgres.ts`, message: "dialects never import each other." },
  { target: `${src}/storage/dialects/postgres.ts`, from: `${src}/storage/dialects/sqlite.ts`, message: "dialects never import each other." },
  {
    target: `${src}/integrations`,
    from: src,
    except: ["./index.ts", "./integrations"],
    message: "integrations import only src/index.ts, as a user would.",
  },
);

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "ui/dist/**", "coverage/**", "bench/tmp/**"] },
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.js", "**/*.mjs"],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: "module" },
    plugins: { "import-x": importX, "@typescript-eslint": tseslint.plugin },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json", conditionNames: ["vigil-source", "types", "import", "node", "default"] })],
    },
    rules: {
      "import-x/no-cycle": "error",
      "import-x/no-self-import": "error",
      "import-x/no-extraneous-dependencies": ["error", { devDependencies: ["**/*.test.ts", "**/*.test-d.ts", "test/**", "bench/**", "src/storage/testing/**", "vitest.config.ts", "eslint.config.js", "examples/**", "ui/**", "scripts/**"] }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "import-x/no-restricted-paths": ["error", { zones }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["vigil", "vigil/*"], message: "Inside src/, import by relative path." }] },
      ],
    },
  },
  {
    // STYLE.md §1 rule 2: these layers do no I/O and import no node: modules.
    files: ["src/model/**/*.ts", "src/errors/**/*.ts", "src/config/**/*.ts", "src/definitions/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "fs", "path", "os", "child_process", "worker_threads"], message: "model/, errors/, config/ and definitions/ do no I/O (STYLE.md §1)." }, { group: ["vigil", "vigil/*"], message: "Inside src/, import by relative path." }] }],
    },
  },
);
