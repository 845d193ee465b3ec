/**
 * The epoch of what makes a client's requests ordinary (dispatch.ts
 * isOrdinary): a client found ordinary is stamped with it (Client.ordinaryAt)
 * and skips the checks while the stamp matches. Every control command (one
 * that is not Command.keepsPlain: CONFIG SET, ACL, CLIENT PAUSE, MULTI,
 * SUBSCRIBE, AUTH, HELLO, REPLICAOF, EVAL going busy...) moves it on once it
 * has run, as does each change made outside a command (loading, a pause, a
 * change of replication role): the next request of every client is checked
 * again. A leaf module: those places import it without a cycle.
 */
export let ordinaryEpoch = 0;

/** Called when something isOrdinary reads may have changed. */
export function ordinaryChanged(): void {
  ordinaryEpoch++;
}
