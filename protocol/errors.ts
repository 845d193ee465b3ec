/** Malformed input or a limit exceeded: the server disconnects the client. */
export class ProtocolError extends Error {
  /**
   * @param reply the RESP error line to send before closing, or undefined to
   * close silently (the native protocol never replies to a framing error).
   */
  constructor(message: string, readonly reply?: string) {
    super(message);
    this.name = "ProtocolError";
  }
}
