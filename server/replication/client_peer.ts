/**
 * A replica is an ordinary client that sent REPLCONF and PSYNC (as in
 * Redis): its stream and RDB payload are written into the client's output
 * and sent by its connection, and its REPLCONF ACKs arrive as commands.
 * The ReplicaPeer of such a client is a field of the client, made here.
 */
import type { Client } from "../client.ts";
import { clientMemory, outputMemory } from "../client_memory.ts";
import { type PeerConnection, ReplicaPeer } from "./replica_peer.ts";

/** The peer of a client, made on its first REPLCONF (or PSYNC). */
export function peerOf(client: Client): ReplicaPeer {
  return client.replicaPeer ??= new ReplicaPeer(connectionOf(client));
}

/** Whether the client is a replica already (Redis's CLIENT_SLAVE flag). */
export function isReplicaClient(client: Client): boolean {
  return client.replicaPeer?.attached === true;
}

export function markReplicaClient(client: Client): void {
  peerOf(client).attached = true;
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
    get outputMemory() {
      return outputMemory(client);
    },
    get baseMemory() {
      return clientMemory(client) - outputMemory(client);
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
