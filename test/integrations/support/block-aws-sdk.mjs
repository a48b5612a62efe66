// Module resolve hook: makes every @aws-sdk/* package unresolvable, as if it were not installed.
// Registered by register-block-aws-sdk.mjs in a child process (aws-lazy-load.test.ts).
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@aws-sdk/")) {
    const error = new Error(`Cannot find package '${specifier}' (blocked by the test)`);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}
