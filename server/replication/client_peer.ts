/**
 * A replica is an ordinary client that sent REPLCONF and PSYNC (as in
 * Redis): its stream and RDB payload are written into the client's output
 * and sent by its connection, and its REPLCONF ACKs arrive as commands.
 * This module keeps the ReplicaPeer of each such client.
 */
import type { Client } from "../client.ts";
import { type PeerConnection, ReplicaPeer } from "./replica_peer.ts";

const peers = new WeakMap<Client, ReplicaPeer>();
/** Clients that became replicas (PSYNC/SYNC accepted). */
const attached = new WeakSet<Client>();

/** The peer of a client, made on its first REPLCONF (or PSYNC). */
export function peerOf(client: Client): ReplicaPeer {
  let peer = peers.get(client);
  if (peer === undefined) {
    peer = new ReplicaPeer(connectionOf(client));
    peers.set(client, peer);
  }
  return peer;
}

/** Whether the client is a replica already (Redis's CLIENT_SLAVE flag). */
export function isReplicaClient(client: Client): boolean {
  return attached.has(client);
}

export function markReplicaClient(client: Client): void {
  attached.add(client);
}

function connectionOf(client: Client): PeerConnection {
  return {
    write(bytes) {
      if (client.closed) return;
      client.out.rawBytes(bytes);
      client.transport.flushSoon();
    },
    get pendingBytes() {
      return client.transport.outputBytes;
    },
    get closed() {
      return client.closed;
    },
    close() {
      client.transport.close();
    },
    get remoteHost() {
      const address = client.transport.remoteAddr;
      return address.slice(0, address.lastIndexOf(":"));
    },
  };
}
