/**
 * The C library's functions through FFI, where this process may call them:
 * on Linux, with --allow-ffi granted, and with glibc's `libc.so.6` present.
 * Everywhere else the callers fall back to Deno's own APIs, so `undefined`
 * is an answer here, never an error.
 */
export function openLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
    return Deno.dlopen("libc.so.6", symbols).symbols;
  } catch {
    return undefined; // not glibc, or a symbol it lacks
  }
}
