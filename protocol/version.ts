/** The Redis version redis-home answers as (INFO, HELLO, LOLWUT, RDB aux fields, the REPL); shared by the server and the client. */
export const VERSION = "7.0.0";
