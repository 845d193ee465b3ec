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

/** The reply to a malformed request before the connection closes (networking.c). */
export const protocolErrorReply = (detail: string) => `ERR Protocol error: ${detail}`;
/** A native-protocol response past the message size limit. */
export const RESPONSE_TOO_BIG = "ERR response is too big";
