/**
 * A replica's full resync replaces its whole dataset with the master's RDB.
 * Unlike a load at start-up, keys whose TTL has passed are kept: on a
 * replica keys expire only when the master says so (its DEL arrives in the
 * stream), so dropping them here would let the two diverge.
 */
import { type Database, databaseAt } from "../db.ts";
import { rdbDatabase } from "../persistence/load.ts";
import { readRdb } from "../persistence/rdb_reader.ts";
import { DEFAULT_LOAD_LIMITS, type LoadLimits, materialize } from "../persistence/values.ts";

/**
 * Empties `dbs` and loads `rdb` into them; returns the number of keys.
 * Function libraries in it go to `loadLibrary` (the caller has dropped its
 * own, as Redis replaces them on a full sync); values take the encodings
 * `limits` give (the replica's own parameters).
 * Throws FormatError on a malformed RDB (the databases are then partly
 * loaded; the caller drops the link and the next sync starts over).
 */
export function loadReplicaRdb(
  dbs: readonly Database[],
  rdb: Uint8Array,
  verifyChecksum: boolean,
  loadLibrary: (code: string) => void = () => {},
  limits: LoadLimits = DEFAULT_LOAD_LIMITS,
): number {
  for (const db of dbs) db.clear();
  let db = databaseAt(dbs, 0);
  let keys = 0;
  readRdb(rdb, {
    selectDb(index) {
      db = rdbDatabase(dbs, index);
    },
    entry(key, value, expireAt) {
      db.set(key, materialize(value, limits), undefined, expireAt);
      if (expireAt !== undefined) db.loadExpire(key, expireAt);
      keys++;
    },
    functionLibrary: loadLibrary,
  }, verifyChecksum);
  return keys;
}
