import { deepEqual } from "node:assert/strict";
import { NativeClient, RespClient, startServer } from "./helpers.ts";

Deno.test("RESP and native clients share one store on one port", async () => {
  await using srv = startServer();
  using resp = await RespClient.connect(srv.port);
  using native = await NativeClient.connect(srv.port);
  deepEqual(await resp.cmd("SET", "k", "v"), "OK");
  deepEqual(await native.call("get", "k"), { type: "str", value: "v" });
  deepEqual(await native.call("set", "k", "w"), { type: "nil" });
  deepEqual(await resp.cmd("GET", "k"), "w");
});
