/**
 * dispatch.ts checks a client's state in full, then runs its
 * next requests on that verdict until a control command: one that changes
 * the state in the middle of a pipeline must be seen by the requests after it.
 */
import { deepEqual } from "node:assert/strict";
import { pipelineOneWrite, RespClient, startServer } from "./helpers.ts";

Deno.test("a transaction, maxmemory and ACL changed mid-pipeline apply to the next request", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(
    await pipelineOneWrite(c, [["SET", "a", "1"], ["MULTI"], ["SET", "a", "2"], ["EXEC"], [
      "GET",
      "a",
    ]]),
    ["OK", "OK", "QUEUED", ["OK"], "2"],
  );
  deepEqual(
    await pipelineOneWrite(c, [
      ["GET", "a"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["SET", "b", "1"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["SET", "b", "1"],
    ]),
    [
      "2",
      "OK",
      { error: "OOM command not allowed when used memory > 'maxmemory'." },
      "OK",
      "OK",
    ],
  );
  deepEqual(
    await pipelineOneWrite(c, [
      ["GET", "a"],
      ["ACL", "SETUSER", "default", "-get"],
      ["GET", "a"],
      ["ACL", "SETUSER", "default", "+get"],
      ["GET", "a"],
    ]),
    [
      "2",
      "OK",
      { error: "NOPERM this user has no permissions to run the 'get' command" },
      "OK",
      "2",
    ],
  );
});

Deno.test("SUBSCRIBE mid-pipeline refuses the data commands after it", async () => {
  await using srv = startServer();
  using c = await RespClient.connect(srv.port);
  deepEqual(await pipelineOneWrite(c, [["SET", "a", "1"], ["SUBSCRIBE", "ch"], ["GET", "a"]]), [
    "OK",
    ["subscribe", "ch", 1],
    {
      error:
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    },
  ]);
});
