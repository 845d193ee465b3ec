import { equal, ok, throws } from "node:assert/strict";
import { patchServerSource } from "./book.ts";

const MAIN = `    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = ntohs(1234);
    addr.sin_addr.s_addr = ntohl(0);    // wildcard address 0.0.0.0
`;

Deno.test("patchServerSource moves the book's server to $BOOK_PORT on loopback", () => {
  const patched = patchServerSource(MAIN);
  ok(patched.includes('addr.sin_port = ntohs(atoi(getenv("BOOK_PORT")));'));
  ok(patched.includes("addr.sin_addr.s_addr = ntohl(0x7f000001);"));
  equal(patched.includes("1234"), false);
});

Deno.test("patchServerSource refuses a source it does not recognise", () => {
  throws(() => patchServerSource("int main() { return 0; }"), /no `ntohs\(1234\)`/);
  throws(() => patchServerSource(MAIN.replace("ntohl(0)", "INADDR_ANY")), /to patch/);
});
