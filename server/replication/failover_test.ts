import { deepEqual, equal } from "node:assert/strict";
import { Failover, type FailoverHost } from "./failover.ts";
import { type PeerConnection, ReplicaPeer } from "./replica_peer.ts";

function peer(ip: string, port: number, ackOffset: number): ReplicaPeer {
  const conn: PeerConnection = {
    write() {},
    close() {},
    closed: false,
    pendingBytes: 0,
    remoteHost: ip,
  };
  const p = new ReplicaPeer(conn);
  p.listeningPort = port;
  p.state = "online";
  p.ackOffset = ackOffset;
  return p;
}

/** A failover over these replicas at master offset 100, recording what it asks of replication. */
function setup(replicas: ReplicaPeer[]) {
  const calls: string[] = [];
  const host: FailoverHost = {
    replicas: () => replicas,
    offset: () => 100,
    becomeReplica: (h, p) => calls.push(`replica of ${h}:${p}`),
    becomeMaster: () => calls.push("master"),
    pauseWrites: (paused) => calls.push(paused ? "pause" : "unpause"),
    log: (message) => calls.push(message),
  };
  return { failover: new Failover(host), calls };
}

Deno.test("failover: waits for the named replica's ACK, then hands over to it", () => {
  const target = peer("10.0.0.2", 6380, 90);
  const { failover, calls } = setup([peer("10.0.0.1", 6379, 100), target]);
  equal(failover.findReplica("10.0.0.2", 6380), target);
  equal(failover.findReplica("10.0.0.2", 6379), undefined);
  failover.start({ host: "10.0.0.2", port: 6380, timeoutMs: 0, force: false }, 0);
  failover.check(1);
  equal(failover.state, "waiting-for-sync");
  target.ackOffset = 100;
  failover.check(2);
  equal(failover.state, "failover-in-progress");
  failover.answered(true);
  equal(failover.state, "no-failover");
  deepEqual(calls, [
    "FAILOVER requested to 10.0.0.2:6380.",
    "pause",
    "Failover target 10.0.0.2:6380 is synced, failing over.",
    "replica of 10.0.0.2:6380",
    "unpause",
  ]);
});

Deno.test("failover: without a target, the first replica that caught up is chosen", () => {
  const { failover, calls } = setup([peer("10.0.0.1", 6379, 99), peer("10.0.0.2", 6380, 100)]);
  failover.start({ port: 0, timeoutMs: 0, force: false }, 0);
  failover.check(1);
  equal(calls.at(-1), "replica of 10.0.0.2:6380");
});

Deno.test("failover: a timeout aborts, or with FORCE hands over; a refusal makes a master again", () => {
  const lagging = () => [peer("10.0.0.1", 6379, 50)];
  const timedOut = setup(lagging());
  timedOut.failover.start({ host: "10.0.0.1", port: 6379, timeoutMs: 10, force: false }, 0);
  timedOut.failover.check(9);
  equal(timedOut.failover.state, "waiting-for-sync");
  timedOut.failover.check(10);
  equal(timedOut.failover.state, "no-failover");
  deepEqual(timedOut.calls.slice(-2), [
    "FAILOVER to 10.0.0.1:6379 aborted: Replica never caught up before timeout",
    "unpause",
  ]);

  const forced = setup(lagging());
  forced.failover.start({ host: "10.0.0.1", port: 6379, timeoutMs: 10, force: true }, 0);
  forced.failover.check(10);
  equal(forced.failover.state, "failover-in-progress");
  forced.failover.answered(false);
  equal(forced.failover.state, "no-failover");
  deepEqual(forced.calls.slice(2), [
    "FAILOVER to 10.0.0.1:6379 time out exceeded, failing over.",
    "replica of 10.0.0.1:6379",
    "FAILOVER to 10.0.0.1:6379 aborted: Failover target rejected psync request",
    "master",
    "unpause",
  ]);
});
