/**
 * Every error reply text, once, in Redis's exact words. Handlers throw
 * CommandError; dispatch rolls back any partial reply and sends the message.
 */
export class CommandError {
  readonly name = "CommandError";
  /**
   * `counted`: the error statistics already hold it (a script's error raised
   * by a failed redis.call, counted when that command failed).
   */
  constructor(readonly message: string, readonly counted = false) {}
}
// An Error as far as anyone can tell (instanceof, message, name), but built
// without Error's constructor: an error reply is no fault to trace, and that
// constructor cost ~1.5 us even with no stack kept, more than most commands.
export interface CommandError extends Error {}
Object.setPrototypeOf(CommandError.prototype, Error.prototype);

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const SYNTAX = "ERR syntax error";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const OVERFLOW = "ERR increment or decrement would overflow";
export const NO_SUCH_KEY = "ERR no such key";
export const NOT_A_HASH_TABLE =
  "ERR The value stored at the specified key is not represented using an hash table";
export const INDEX_OUT_OF_RANGE = "ERR index out of range";
export const DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
export const NOT_POSITIVE = "ERR value is out of range, must be positive";
export const TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
export const TIMEOUT_NEGATIVE = "ERR timeout is negative";
export const NAN_RESULT = "ERR resulting score is not a number (NaN)";
export const STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

export function invalidExpire(command: string): string {
  return `ERR invalid expire time in '${command}' command`;
}

/** Redis quotes at most 128 bytes of each name it echoes back. */
export function unknownCommand(argv: readonly string[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  const name = argv[0] ?? "";
  return `ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${args}`;
}

export function unknownSubcommand(sub: string, command: string): string {
  return `ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`;
}

/** A container command's subcommand given the wrong arguments (addReplySubcommandSyntaxError). */
export function subcommandSyntax(argv: readonly string[]): string {
  const [command = "", sub = ""] = argv;
  const name = sub.slice(0, 128);
  const help = `${command.toUpperCase()} HELP`;
  return `ERR unknown subcommand or wrong number of arguments for '${name}'. Try ${help}.`;
}

export const EXEC_ABORT = "EXECABORT Transaction discarded because of previous errors.";
export const EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
export const DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
export const MULTI_NESTED = "ERR MULTI calls can not be nested";
export const WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
export const SSUBSCRIBE_IN_MULTI = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";

// Keyspace, strings and bitmaps.
export const SAME_OBJECT = "ERR source and destination objects are the same";
export const DECREMENT_OVERFLOW = "ERR decrement would overflow";
export const INCREMENT_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
export const OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
export const BIT_OFFSET = "ERR bit offset is not an integer or out of range";
export const BIT_VALUE = "ERR bit is not an integer or out of range";
export const BIT_ARGUMENT = "ERR The bit argument must be 1 or 0.";
export const BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key.";
export const BITFIELD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
export const BITFIELD_OVERFLOW_TYPE = "ERR Invalid OVERFLOW type specified";
export const BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";
export const LCS_NOT_STRINGS = "ERR The specified keys must contain string values";
export const LCS_IDX_AND_LEN = "ERR If you want both the length and indexes, please just use IDX.";
export const LCS_TOO_MUCH_MEMORY =
  "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
export const EXPIRE_NX_CONFLICT =
  "ERR NX and XX, GT or LT options at the same time are not compatible";
export const EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible";
export const LFU_NOT_SELECTED =
  "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
export const LFU_SELECTED =
  "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

export function unsupportedOption(option: string): string {
  return `ERR Unsupported option ${option}`;
}

/** Redis's getIntFromObjectOrReply: an integer outside the 32-bit range. */
export const NOT_INT32 = "ERR value is out of range, value must between -2147483648 and 2147483647";

// Sorted sets (t_zset.c); the numkeys and count texts are shared with LMPOP/BLMPOP.
export const ZADD_NX_XX = "ERR XX and NX options at the same time are not compatible";
export const ZADD_GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
export const ZADD_INCR_PAIRS = "ERR INCR option supports a single increment-element pair";
export const MIN_MAX_NOT_FLOAT = "ERR min or max is not a float";
export const MIN_MAX_NOT_STRING_RANGE = "ERR min or max not valid string range item";
export const LIMIT_NEEDS_BYSCORE_OR_BYLEX =
  "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
export const WITHSCORES_WITH_BYLEX =
  "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
export const WEIGHT_NOT_FLOAT = "ERR weight value is not a float";
export const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
export const NUMKEYS_NOT_POSITIVE = "ERR numkeys should be greater than 0";
export const COUNT_NOT_POSITIVE = "ERR count should be greater than 0";
export const VALUE_OUT_OF_RANGE = "ERR value is out of range";

export function atLeastOneInputKey(command: string): string {
  return `ERR at least 1 input key is needed for '${command}' command`;
}

/** Redis 7.0's getRangeLongFromObjectOrReply wording. */
export function outOfRangeBetween(min: bigint | number, max: bigint | number): string {
  return `ERR value is out of range, value must between ${min} and ${max}`;
}

// Lists, hashes and sets (t_list.c, t_hash.c, t_set.c).
export const LPOS_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
export const LPOS_COUNT_NEGATIVE = "ERR COUNT can't be negative";
export const LPOS_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
export const HASH_VALUE_NOT_INTEGER = "ERR hash value is not an integer";
export const HASH_VALUE_NOT_FLOAT = "ERR hash value is not a float";
export const VALUE_NAN_OR_INFINITY = "ERR value is NaN or Infinity";
export const NUMKEYS_OVER_ARGS = "ERR Number of keys can't be greater than number of args";

// COMMAND GETKEYS
export const GETKEYS_INVALID_COMMAND = "ERR Invalid command specified";
export const GETKEYS_NO_KEYS = "ERR The command has no key arguments";
export const GETKEYS_INVALID_ARITY = "ERR Invalid number of arguments specified for command";
export const GETKEYS_INVALID_ARGUMENTS = "ERR Invalid arguments specified for command";

// HyperLogLog (hyperloglog.c).
export const HLL_WRONGTYPE = "WRONGTYPE Key is not a valid HyperLogLog string value.";
export const HLL_INVALID = "INVALIDOBJ Corrupted HLL object detected";
export const HLL_NO_KEY = "ERR The specified key does not exist";
export const HLL_NOT_SPARSE = "ERR HLL encoding is not sparse";

export function unknownPfdebug(sub: string): string {
  return `ERR Unknown PFDEBUG subcommand '${sub}'`;
}

// GEO (geo.c).
export const GEO_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
export const GEO_RADIUS_NOT_NUMBER = "ERR need numeric radius";
export const GEO_WIDTH_NOT_NUMBER = "ERR need numeric width";
export const GEO_HEIGHT_NOT_NUMBER = "ERR need numeric height";
export const GEO_RADIUS_NEGATIVE = "ERR radius cannot be negative";
export const GEO_BOX_NEGATIVE = "ERR height or width cannot be negative";
export const GEO_COUNT_NOT_POSITIVE = "ERR COUNT must be > 0";
export const GEO_NO_MEMBER = "ERR could not decode requested zset member";
export const GEO_ANY_WITHOUT_COUNT = "ERR the ANY argument requires COUNT argument";

export function geoInvalidPair(lon: string, lat: string): string {
  return `ERR invalid longitude,latitude pair ${lon},${lat}`;
}

export function geoStoreWith(command: string): string {
  return `ERR ${command} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`;
}

export function geoExactlyOneFrom(command: string): string {
  return `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${command}`;
}

export function geoExactlyOneBy(command: string): string {
  return `ERR exactly one of BYRADIUS and BYBOX can be specified for ${command}`;
}

// SORT (sort.c).
export const SORT_NOT_DOUBLE = "ERR One or more scores can't be converted into double";
// Connections, configuration, persistence, scans
export const UNBLOCKED_BY_CLIENT = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
export const UNBLOCKED_ROLE_CHANGE =
  "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
export const NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction";
export const NO_CONFIG_FILE = "ERR The server is running without a config file";
export const CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0";
export const INVALID_CLIENT_ID = "ERR Invalid client ID";
export const NO_SUCH_CLIENT = "ERR No such client";
export const UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
export const PROTOCOL_VERSION_NOT_INTEGER =
  "ERR Protocol version is not an integer or out of range";
export const NOPROTO = "NOPROTO unsupported protocol version";
export const AOF_REWRITE_IN_PROGRESS =
  "ERR Background append only file rewriting already in progress";
export const NO_SHUTDOWN_IN_PROGRESS = "ERR No shutdown in progress.";
export const SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
export const RESTORE_BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
export const RESTORE_BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
export const RESTORE_BAD_TTL = "ERR Invalid TTL value, must be >= 0";
export const SAVE_FAILED = "ERR";
export const INVALID_CURSOR = "ERR invalid cursor";
export function internalError(command: string): string {
  return `ERR internal error in '${command}'`;
}
/** CONFIG SET/GET failures carry their own reason (server/config.ts). */
export function configError(reason: string): string {
  return `ERR ${reason}`;
}
/** DEBUG CONFIG-REWRITE-FORCE-ALL's failure. */
export const rewriteAllFailed = (reason: string) =>
  `ERR CONFIG-REWRITE-FORCE-ALL failed: ${reason}`;

export function rewriteFailed(reason: string): string {
  return `ERR Rewriting config file: ${reason}`;
}
export function unknownClientType(type: string): string {
  return `ERR Unknown client type '${type}'`;
}
export function noSuchUser(user: string): string {
  return `ERR No such user '${user}'`;
}
export function unrecognizedOption(option: string): string {
  return `ERR Unrecognized option '${option}'`;
}
export function helloSyntax(option: string): string {
  return `ERR Syntax error in HELLO option '${option}'`;
}
export const NOAUTH = "NOAUTH Authentication required.";
export function notAllowedWhenSubscribed(command: string): string {
  return `ERR Can't execute '${command}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

// DEBUG (debug.c).
export const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';
export const DEBUG_RELOAD_OPTIONS =
  "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
export const DEBUG_RELOAD_FAILED = "ERR Error trying to load the RDB dump";
/** Where Redis exits (a damaged AOF), DEBUG LOADAOF answers this. */
export const DEBUG_AOF_LOAD_FAILED = "ERR Error trying to load the AOF";
/** Redis's shared.err: what DEBUG RELOAD answers when the save before the load fails. */
export const DEBUG_SAVE_FAILED = "ERR";
export const DEBUG_PROTOCOL_TYPES =
  "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
export const DEBUG_PUSH_RESP2 = "ERR RESP2 is not supported by this command";
export const DEBUG_PACKED_THRESHOLD =
  "ERR argument must be a memory value bigger than 1 and smaller than 4gb";

export function notEncodedAs(encoding: string): string {
  return `ERR Not a ${encoding} encoded object.`;
}

// PFSELFTEST's failures ("TESTFAILED ...").
export function selfTestFailed(report: string): string {
  return `ERR ${report}`;
}
// Streams (t_stream.c, blocked.c).
export const STREAM_ID_INVALID = "ERR Invalid stream ID specified as stream command argument";
export const XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
export const XADD_ID_EXHAUSTED =
  "ERR The stream has exhausted the last possible ID, unable to add more items";
export const XADD_ID_TOO_SMALL =
  "ERR The ID specified in XADD is equal or smaller than the target stream top item";
export const XADD_TOO_LARGE = "ERR Elements are too large to be stored";
export const TRIM_MAXLEN_AND_MINID =
  "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
export const TRIM_MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0.";
export const TRIM_LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0.";
export const TRIM_LIMIT_WITHOUT_STRATEGY =
  "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
export const XTRIM_WITHOUT_STRATEGY =
  "ERR syntax error, XTRIM must be called with a trimming strategy";
export const TRIM_LIMIT_WITHOUT_APPROX =
  "ERR syntax error, LIMIT cannot be used without the special ~ option";
export const INTERVAL_START_INVALID = "ERR invalid start ID for the interval";
export const INTERVAL_END_INVALID = "ERR invalid end ID for the interval";
export const XREAD_UNBALANCED =
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
export const XREAD_GROUP_OPTION =
  "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
export const XREAD_NOACK_OPTION =
  "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
export const XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP";
export const XREADGROUP_DOLLAR =
  "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
export const XREAD_GREATER_ID =
  "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
export const XREADGROUP_GROUP_GONE =
  "NOGROUP the consumer group this client was blocked on no longer exists";
export const XREADGROUP_KEY_GONE = "UNBLOCKED the stream key no longer exists";
export const XGROUP_ENTRIES_READ = "ERR value for ENTRIESREAD must be positive or -1";
export const XGROUP_KEY_MISSING =
  "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
export const BUSYGROUP = "BUSYGROUP Consumer Group name already exists";
export const XSETID_ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive";
export const XSETID_BELOW_MAX_DELETED =
  "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
export const XSETID_BELOW_TOP =
  "ERR The ID specified in XSETID is smaller than the target stream top item";
export const XSETID_ENTRIES_ADDED_SMALL =
  "ERR The entries_added specified in XSETID is smaller than the target stream length";
export const XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM";
export const XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM";
export const XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM";
export const XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM";
export const XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM";
export const XAUTOCLAIM_COUNT = "ERR COUNT must be > 0";

export function xclaimUnknownOption(option: string): string {
  return `ERR Unrecognized XCLAIM option '${option}'`;
}

/** XREADGROUP's NOGROUP error. */
export function noGroupForRead(key: string, group: string): string {
  return `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`;
}

/** XPENDING, XCLAIM and XAUTOCLAIM's NOGROUP error. */
export function noKeyOrGroup(key: string, group: string): string {
  return `NOGROUP No such key '${key}' or consumer group '${group}'`;
}

/** XGROUP and XINFO's NOGROUP error. */
export function noGroupForKey(group: string, key: string): string {
  return `NOGROUP No such consumer group '${group}' for key name '${key}'`;
}
export const XREAD_TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
// Scripting (eval.c, script.c, script_lua.c).
export const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
export const BUSY_EVAL =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
export const BUSY_FUNCTION =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
export const NOTBUSY = "NOTBUSY No scripts in execution right now.";
export const UNKILLABLE =
  "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
export const NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative";
export const SCRIPT_FLUSH_MODE = "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
export const SCRIPT_DEBUG_MODE = "ERR Use SCRIPT DEBUG YES/SYNC/NO";
export const SCRIPT_DEBUG_PIPELINE = "ERR SCRIPT DEBUG must be called outside a pipeline";
export const SCRIPT_DEBUG_EVALSHA = "ERR Please use EVAL instead of EVALSHA for debugging";
/** What ends a Lua debugging session in error (raised in the script, as Redis's luaError). */
export const LDB_ABORTED = "ERR script aborted for user request";
export const LDB_PROTOCOL_ERROR = "ERR protocol error";
export const LDB_BUFFER_FULL = "ERR max client buffer reached";
export const LDB_TIMEOUT_CLOSED = "ERR timeout during Lua debugging with client closing connection";
export const SCRIPT_WRITE_ON_RO =
  "ERR Can not execute a script with write flag using *_ro command.";
export const SCRIPT_UNKNOWN_COMMAND = "ERR Unknown Redis command called from script";
export const SCRIPT_WRONG_ARITY = "ERR Wrong number of args calling Redis command from script";
export const SCRIPT_DENIED_COMMAND = "ERR This Redis command is not allowed from script";
export const SCRIPT_RO_WRITE = "ERR Write commands are not allowed from read-only scripts.";

// Replication (replication.c, server.c's shared replies).
export const READONLY_REPLICA = "READONLY You can't write against a read only replica.";
/** A replica sent a command that reads or writes keys (Redis's processCommand refusal). */
export const REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
export const MASTERDOWN =
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
export const NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
export const NOMASTERLINK = "NOMASTERLINK Can't SYNC while not connected with my master";
export const WAIT_ON_REPLICA =
  "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";
export const INVALID_MASTER_PORT = "ERR Invalid master port";
export const REPLICAOF_FROM_REPLICA = "ERR Command is not valid when client is a replica.";
export const TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range";
export const REPLICAOF_WHILE_FAILING_OVER = "ERR REPLICAOF not allowed while failing over.";
export const SYNC_WHILE_FAILING_OVER = "NOMASTERLINK Can't SYNC while failing over";
export const PSYNC_FAILOVER_TO_MASTER = "ERR PSYNC FAILOVER can't be sent to a master.";
export const PSYNC_FAILOVER_REPLID = "ERR PSYNC FAILOVER replid must match my replid.";

// FAILOVER (replication.c's failoverCommand).
export const NO_FAILOVER = "ERR No failover in progress.";
export const FAILOVER_TIMEOUT = "ERR FAILOVER timeout must be greater than 0";
export const FAILOVER_IN_PROGRESS = "ERR FAILOVER already in progress.";
export const FAILOVER_ON_REPLICA = "ERR FAILOVER is not valid when server is a replica.";
export const FAILOVER_NO_REPLICAS = "ERR FAILOVER requires connected replicas.";
export const FAILOVER_FORCE =
  "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
export const FAILOVER_NOT_A_REPLICA = "ERR FAILOVER target HOST and PORT is not a replica.";
export const FAILOVER_NOT_ONLINE = "ERR FAILOVER target replica is not online.";

export function unrecognizedReplconfOption(option: string): string {
  return `ERR Unrecognized REPLCONF option: ${option}`;
}

export function replicaIpTooLong(bytes: number): string {
  return `ERR REPLCONF ip-address provided by replica instance is too long: ${bytes} bytes`;
}
// maxmemory (server.c's shared.oomerr).
export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

// Authentication and ACL (acl.c, server.c).
export const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
export const AUTH_WITHOUT_PASSWORD =
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
export const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
export const DEFAULT_USER_UNDELETABLE = "ERR The 'default' user cannot be removed";
export const USERNAME_HAS_SPACES = "ERR Usernames can't contain spaces or null characters";
export const NO_ACL_FILE =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";
export const ACL_SAVE_FAILED =
  "ERR There was an error trying to save the ACLs. Please check the server logs for more information";
export const GENPASS_RANGE =
  "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096";

/** ACL DRYRUN's reasons and EXEC's when rules changed after MULTI queued a command. */
export function aclChangedSinceQueued(reason: string): string {
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}

/** A script's command refused by ACL (scriptVerifyACL with getAclErrorMessage). */
export function scriptAclDenied(reason: "command" | "key" | "channel"): string {
  const why = reason === "command"
    ? "can't run this command or subcommand"
    : reason === "key"
    ? "can't access at least one of the keys mentioned in the command arguments"
    : "can't publish to the channel mentioned in the command";
  return `ERR The user executing the script ${why}`;
}

/** SORT BY/GET for a user who may not read every key (sortCommandGeneric). */
export const SORT_BY_DENIED = "ERR BY option of SORT denied due to insufficient ACL permissions.";
export const SORT_GET_DENIED = "ERR GET option of SORT denied due to insufficient ACL permissions.";
/** XREAD / XREADGROUP BLOCK from a script (t_stream.c). */
export function blockFromScript(command: string): string {
  return `ERR ${command} command is not allowed with BLOCK option from scripts`;
}
export const SLOWLOG_COUNT_RANGE = "ERR count should be greater than or equal to -1";
export const noLatencySamples = (event: string) => `ERR No samples available for event '${event}'`;
export const MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client";
export const PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL";

/** Protected mode (clientAcceptHandler): a non-loopback client while the default user has no password. */
export const PROTECTED_MODE_DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";
/** maxclients reached (acceptCommonHandler). */
export const MAX_CLIENTS_REACHED = "ERR max number of clients reached";
/** CLIENT TRACKING and CLIENT CACHING (networking.c clientCommand). */
export const TRACKING_ONE_REDIRECT = "ERR A client can only redirect to a single other client";
export const TRACKING_NO_REDIRECT_CLIENT = "ERR The client ID you want redirect to does not exist";
export const TRACKING_PREFIX_NEEDS_BCAST = "ERR PREFIX option requires BCAST mode to be enabled";
export const TRACKING_BCAST_SWITCH =
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
export const TRACKING_OPT_BCAST = "ERR OPTIN and OPTOUT are not compatible with BCAST";
export const TRACKING_OPTIN_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode";
export const TRACKING_OPT_SWITCH =
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
export function trackingPrefixOverlap(prefix: string, other: string, existing: boolean): string {
  return `ERR Prefix '${prefix}' overlaps with ${
    existing ? "an existing" : "another provided"
  } prefix '${other}'. Prefixes for a single client must not overlap.`;
}
export const CACHING_NOT_TRACKING =
  "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled";
export const CACHING_YES_NEEDS_OPTIN =
  "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
export const CACHING_NO_NEEDS_OPTOUT =
  "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
/** MODULE LOAD/LOADEX/UNLOAD while enable-module-command forbids them (processCommand). */
export const MODULE_NOT_ALLOWED =
  'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';
export const MODULE_LOAD_FAILED = "ERR Error loading the extension. Please check the server logs.";
export const MODULE_UNLOAD_NO_SUCH = "ERR Error unloading module: no such module with that name";
/** CONFIG SET of a TLS file the listener could not load (applyTlsCfg). */
export const TLS_RELOAD_FAILED = "Unable to update TLS configuration. Check server logs.";
/** ACL DRYRUN's lookups (aclCommand). */
export const aclUserNotFound = (user: string) => `ERR User '${user}' not found`;
export const aclCommandNotFound = (command: string) => `ERR Command '${command}' not found`;
/** ACL CAT of an unknown category (the name cut at 128 bytes, as Redis's addReplyErrorFormat). */
export const aclUnknownCategory = (name: string) => `ERR Unknown category '${name.slice(0, 128)}'`;
/** ACL LOAD and ACL SETUSER failures carry the reason Redis gives. */
export const aclError = (reason: string) => `ERR ${reason}`;
/** A script that may write and does not declare allow-oom, started over maxmemory (scriptPrepareForRun). */
export const SCRIPT_OOM_NOT_ALLOWED =
  "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
/** EXEC refused before it runs (execCommandAbort): the transaction is discarded. */
export const execAbortedBy = (error: string) =>
  `EXECABORT Transaction discarded because of: ${error}`;
/** scriptPrepareForRun on a stale replica, for a script without allow-stale. */
export const SCRIPT_MASTERDOWN =
  "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";
/** scriptPrepareForRun on a read-only replica, for a script without no-writes. */
export const SCRIPT_READONLY_REPLICA =
  "READONLY Can not run script with write flag on readonly replica";
/** scriptVerifyAllowStale: a command without the stale flag called on a stale replica. */
export const SCRIPT_STALE_COMMAND = "ERR Can not execute the command on a stale replica";
/**
 * A script past busy-reply-threshold that spent one more threshold inside a
 * call that cannot yield (a sort comparator, a gsub callback), where no
 * other client can be answered: it is stopped (scripting/engine.ts).
 */
export const SCRIPT_STUCK =
  "ERR Script stopped: it ran past busy-reply-threshold inside a call that cannot be interrupted (a table.sort comparator, a string.gsub callback...)";
/** Script shebangs (evalExtractShebangFlags) and compiling (luaCreateFunction). */
export const SHEBANG_INVALID = "ERR Invalid script shebang";
export const SHEBANG_NO_ENGINE = "ERR Invalid engine in script shebang";
export const shebangEngine = (engine: string) =>
  `ERR Unexpected engine in script shebang: ${engine}`;
export const shebangOption = (option: string) => `ERR Unknown lua shebang option: ${option}`;
export const shebangFlag = (flag: string) => `ERR Unexpected flag in script shebang: ${flag}`;
export const scriptCompileError = (message: string) =>
  `ERR Error compiling script (new function): ${message}`;
/** FUNCTION's errors (functionsCommand family). */
export const FUNCTION_NOT_FOUND = "ERR Function not found";
export const FUNCTION_NO_LIBRARY_NAME = "ERR library name argument was not given";
export const functionUnknownArgument = (word: string) => `ERR Unknown argument ${word}`;
export const functionUnknownOption = (option: string) => `ERR Unknown option given: ${option}`;
export const FUNCTION_CODE_MISSING = "ERR Function code is missing";
export const LIBRARY_NOT_FOUND = "ERR Library not found";
export const FUNCTION_FLUSH_MODE = "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
/** A library's load error (functionsCreateWithLibraryCtx): the engine's reason. */
export const libraryError = (reason: string) => `ERR ${reason}`;
/** DUMP / RESTORE (restoreCommand, verifyDumpPayload, rdbLoadObject). */
export const RESTORE_BUSYKEY = "BUSYKEY Target key name already exists.";
export const DUMP_PAYLOAD_INVALID = "ERR DUMP payload version or checksum are wrong";
export const DUMP_BAD_DATA = "ERR Bad data format";
/** BGSAVE (bgsaveCommand). */
export const BGSAVE_IN_PROGRESS = "ERR Background save already in progress";
export const BGSAVE_CHILD_ACTIVE =
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
/** BGREWRITEAOF that could not start (bgrewriteaofCommand). */
export const AOF_REWRITE_FAILED =
  "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
/** ACL denials at the top level (processCommand with getAclErrorMessage). */
export const noPermissionCommand = (command: string) =>
  `NOPERM this user has no permissions to run the '${command}' command`;
export const noPermissionArguments = (what: "keys" | "channels") =>
  `NOPERM this user has no permissions to access one of the ${what} used as arguments`;
/** CLIENT SETNAME / SETINFO with a bad value (clientSetNameOrReply, clientSetinfoCommand). */
export const BAD_CLIENT_NAME =
  "ERR Client names cannot contain spaces, newlines or special characters.";
export const badClientInfo = (option: string) =>
  `ERR ${option} cannot contain spaces, newlines or special characters.`;
/** FUNCTION's subcommand syntax, FCALL's numkeys and FUNCTION RESTORE's policy (functionsCommand family). */
export const functionSyntax = (sub: string) =>
  `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try FUNCTION HELP.`;
export const FCALL_BAD_NUMKEYS = "ERR Bad number of keys provided";
export const FUNCTION_RESTORE_POLICY =
  "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
/** SWAPDB's indexes (swapdbCommand). */
export const SWAPDB_FIRST_INDEX = "ERR invalid first DB index";
export const SWAPDB_SECOND_INDEX = "ERR invalid second DB index";
/** A script's reply nested too deeply (luaReplyToRedisReply). */
export const LUA_REPLY_TOO_DEEP = "ERR reached lua stack limit";
/** A script's error: a raised error table without a text, and a raised plain value (luaCallFunction). */
export const SCRIPT_UNKNOWN_ERROR = "ERR unknown error";
export const scriptRaised = (message: string) => `ERR ${message}`;
/** PFSELFTEST's failure reports, sent inside selfTestFailed (pfselftestCommand). */
export const hllRegisterMismatch = (index: number, expected: number, actual: number) =>
  `TESTFAILED Register ${index} should be ${expected} but is ${actual}`;
export const HLL_SPARSE_NOT_USED = "TESTFAILED sparse encoding not used";
export const HLL_DENSE_SPARSE_DISAGREE = "TESTFAILED dense/sparse disagree";
export const hllErrorTooBig = (cardinality: number, error: number) =>
  `TESTFAILED Too big error. card:${cardinality} abserr:${error}`;
/** A fault of the script runtime itself (not a Lua error) ending a run. */
export const scriptFault = (reason: string) => `ERR ${reason}`;
/**
 * FUNCTION LOAD / RESTORE reasons, sent inside libraryError
 * (functionExtractLibMetaData, functionsCreateWithLibraryCtx, libraryJoin, functionsLoadFromRdb).
 */
export const LIBRARY_METADATA_MISSING = "Missing library metadata";
export const LIBRARY_METADATA_INVALID = "Invalid library metadata";
export const libraryMetadataValue = (part: string) => `Invalid metadata value given: ${part}`;
export const LIBRARY_NAME_REPEATED =
  "Invalid metadata value, name argument was given multiple times";
export const LIBRARY_NAME_MISSING = "Library name was not given";
export const LIBRARY_NAME_RULE =
  "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
export const engineNotFound = (engine: string) => `Engine '${engine}' not found`;
export const functionCompileError = (message: string) => `Error compiling function: ${message}`;
export const functionRegisterError = (message: string) => `Error registering functions: ${message}`;
export const FUNCTION_LOAD_TIMEOUT = "FUNCTION LOAD timeout";
export const libraryExists = (name: string) => `Library '${name}' already exists`;
export const libraryExistsOnRestore = (name: string) => `Library ${name} already exists`;
export const NO_FUNCTIONS_REGISTERED = "No functions registered";
export const functionExists = (name: string) => `Function ${name} already exists`;
export const FUNCTION_PAYLOAD_INVALID = "DUMP payload version or checksum are wrong";
export const FUNCTION_PAYLOAD_NOT_FUNCTION = "given type is not a function";
export const FUNCTION_PAYLOAD_LOAD_FAILED = "failed loading the given functions payload";
/** redis.register_function's errors while a library loads (luaRegisterFunction and its argument readers). */
export const REGISTER_OUTSIDE_LOAD =
  "redis.register_function can only be called on FUNCTION LOAD command";
export const REGISTER_ARITY = "wrong number of arguments to redis.register_function";
export const REGISTER_DUPLICATE = "Function already exists in the library";
export const REGISTER_NAMED_NOT_TABLE =
  "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).";
export const REGISTER_KEY_NOT_STRING =
  "named argument key given to redis.register_function is not a string";
export const REGISTER_NAME_NOT_STRING =
  "function_name argument given to redis.register_function must be a string";
export const REGISTER_DESCRIPTION_NOT_STRING =
  "description argument given to redis.register_function must be a string";
export const REGISTER_CALLBACK_NOT_FUNCTION =
  "callback argument given to redis.register_function must be a function";
export const REGISTER_FLAGS_NOT_TABLE =
  "flags argument to redis.register_function must be a table representing function flags";
export const REGISTER_UNKNOWN_FLAG = "unknown flag given";
export const REGISTER_UNKNOWN_ARGUMENT = "unknown argument given to redis.register_function";
export const REGISTER_NAME_MISSING = "redis.register_function must get a function name argument";
export const REGISTER_CALLBACK_MISSING = "redis.register_function must get a callback argument";
export const REGISTER_FIRST_NOT_STRING =
  "first argument to redis.register_function must be a string";
export const REGISTER_SECOND_NOT_FUNCTION =
  "second argument to redis.register_function must be a function";
/** ACL rule errors, sent inside ACL SETUSER's and ACL LOAD's messages (ACLSetUserStringError). */
export const RULE_UNKNOWN_COMMAND = "Unknown command or category name in ACL";
export const RULE_SYNTAX = "Syntax error";
export const RULE_KEYS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
export const RULE_CHANNELS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
export const RULE_SUBCOMMAND_FIRST_ARG = "Allowing first-arg of a subcommand is not supported";
export const RULE_BAD_HASH =
  "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
export const RULE_NO_SUCH_PASSWORD =
  "The password you are trying to remove from the user does not exist";
/** A script writing to a read-only table (luaProtectedTableError, lua_enablereadonlytable). */
export const READONLY_TABLE_ERROR = "Attempt to modify a readonly table";
/** Lua's next() given a key its table does not hold. */
export const LUA_INVALID_NEXT_KEY = "invalid key to 'next'";
/** Lua 5.1's error for coroutine.yield from a script's own (main) thread or across pcall, a metamethod, a callback. */
export const LUA_YIELD_ACROSS_BOUNDARY = "attempt to yield across metamethod/C-call boundary";
/** Lua 5.1's table.setn (built without LUA_COMPAT_GETN, as Redis's). */
export const LUA_SETN_OBSOLETE = "'setn' is obsolete";
/** The redis table's and math.random's errors inside scripts (script_lua.c's luaRedis* functions, luaMathRandom). */
export const outsideScript = (what: string) =>
  `${what} can only be called inside a script invocation`;
export const LUA_WRONG_ARITY = "wrong number of arguments";
export const LUA_REPLY_FIELD_ARGS = "wrong number or type of arguments";
export const LUA_NO_COMMAND_ARGS = "Please specify at least one argument for this redis lib call";
export const LUA_BAD_COMMAND_ARG = "Lua redis lib command arguments must be strings or integers";
export const LUA_LOG_ARITY = "redis.log() requires two arguments or more.";
export const LUA_LOG_LEVEL_NOT_NUMBER = "First argument must be a number (log level).";
export const LUA_LOG_LEVEL_INVALID = "Invalid debug level.";
export const LUA_SETRESP_ARITY = "redis.setresp() requires one argument.";
export const LUA_SETRESP_VERSION = "RESP version must be 2 or 3.";
export const LUA_SET_REPL_ARITY = "redis.set_repl() requires two arguments.";
export const LUA_SET_REPL_FLAGS =
  "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
export const LUA_ACL_CHECK_UNKNOWN = "Invalid command passed to redis.acl_check_cmd()";
/** A script reading an undefined global (luaSetErrorMetatable). */
export const nonexistentGlobal = (name: string) =>
  `Script attempted to access nonexistent global variable '${name}'`;
/** CONFIG SET port/tls-port or bind that cannot be listened on (changeListenPort, applyBind). */
export const LISTEN_PORT_FAILED = "Unable to listen on this port. Check server logs.";
export const BIND_FAILED = "Failed to bind to specified addresses.";
/** CONFIG SET's reasons (config.c), inside configSetFailed's sentence. */
export const configSetFailed = (name: string, reason: string) =>
  `CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
export const configUnknownOption = (name: string) =>
  `Unknown option or number of arguments for CONFIG SET - '${name}'`;
export const CONFIG_IMMUTABLE = "can't set immutable config";
export const CONFIG_PROTECTED = "can't set protected config";
export const CONFIG_DUPLICATE = "duplicate parameter";
export const CONFIG_NOT_BOOL = "argument must be 'yes' or 'no'";
export const CONFIG_NOT_INTEGER = "argument couldn't be parsed into an integer";
export const CONFIG_NOT_MEMORY = "argument must be a memory value";
export const CONFIG_NOT_MEMORY_OR_PERCENT = "argument must be a memory or percent value";
export const CONFIG_PERCENT_OVER_100 = "percentage argument must be less or equal to 100";
export const configOutOfRange = (min: bigint, max: bigint) =>
  `argument must be between ${min} and ${max} inclusive`;
export const configNotOneOf = (values: readonly string[]) =>
  "argument(s) must be one of the following: " + values.join(", ");
export const CONFIG_BAD_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
export const CONFIG_BAD_SAVE = "Invalid save parameters";
/** redis.conf / command-line directive errors (redis-server's config loader). */
export const BAD_DIRECTIVE = "Bad directive or wrong number of arguments";
/** redis.conf rename-command's errors. */
export const RENAME_NO_SUCH_COMMAND = "No such command in rename-command";
export const RENAME_TARGET_EXISTS = "Target command name already exists";
export const WRONG_CONFIG_ARITY = "wrong number of arguments";
export const CONFIG_BAD_MASTER_PORT = "Invalid master port";
export const CONFIG_SAVE_AND_NOSAVE =
  "shutdown options SAVE and NOSAVE can't be used simultaneously";
export const CONFIG_BUFFER_LIMIT_ARITY = "Wrong number of arguments in buffer limit configuration.";
export const CONFIG_BUFFER_LIMIT_CLASS =
  "Invalid client class specified in buffer limit configuration.";
export const CONFIG_BUFFER_LIMIT_VALUES =
  "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
export const CONFIG_BAD_OOM_SCORE =
  "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
export const CONFIG_BAD_PERCENTILES = "Invalid latency-tracking-info-percentiles parameters";
export const CONFIG_PERCENTILES_RANGE =
  "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
export const CONFIG_WRONG_ARITY = "wrong number of arguments";
/** Every CLUSTER subcommand with cluster-enabled no (clusterCommand). */
export const CLUSTER_DISABLED = "ERR This instance has cluster support disabled";
/** MIGRATE (migrateCommand). */
export const MIGRATE_KEYS_NEEDS_EMPTY_KEY =
  "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
export const MIGRATE_CONNECT_FAILED = "IOERR error or timeout connecting to the client";
export const MIGRATE_READ_FAILED = "IOERR error or timeout reading to target instance";
export const MIGRATE_WRITE_FAILED = "IOERR error or timeout writing to target instance";
export const migrateTargetError = (reply: string) =>
  `ERR Target instance replied with error: ${reply}`;
/** bind with more than CONFIG_BINDADDR_MAX addresses (setConfigBindOption). */
export const CONFIG_TOO_MANY_BIND = "Too many bind addresses specified.";
/** A command without the `loading` flag while the dataset loads at start-up (shared.loadingerr). */
export const LOADING = "LOADING Redis is loading the dataset in memory";
