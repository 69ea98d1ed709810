package io.raftline.engine.agent;

import org.agrona.SystemUtil;

import static java.lang.Integer.getInteger;

/**
 * Property names and defaults of a member's settings; each setting of {@link MemberContext} starts from the value
 * here, which a system property may override. Units are in the names; durations accept Agrona's suffixes
 * ({@code 150ms}, {@code 2s}, {@code 500us}).
 */
public final class MemberConfiguration
{
    /**
     * Id of this member.
     */
    public static final String MEMBER_ID_PROP_NAME = "raftline.member.id";

    /**
     * The cluster's members: {@code "0,1,2"} (IPC) or {@code "0@host:port,1@host:port,..."} (UDP).
     */
    public static final String MEMBERS_PROP_NAME = "raftline.members";

    /**
     * Directory under which each member keeps its log, metadata and snapshots ({@code <dir>/member-<id>}).
     */
    public static final String DIR_PROP_NAME = "raftline.dir";

    /**
     * Default for {@link #DIR_PROP_NAME}.
     */
    public static final String DIR_DEFAULT = "raftline-data";

    /**
     * Durability of the log and metadata: none, batch or each.
     */
    public static final String DURABILITY_PROP_NAME = "raftline.durability";

    /**
     * Default for {@link #DURABILITY_PROP_NAME}: page cache, survives a process crash.
     */
    public static final String DURABILITY_DEFAULT = "none";

    /**
     * Where the log lives: {@code file} (Chronicle Queue) or {@code memory} (lost with the process; for tests and
     * protocol benchmarks).
     */
    public static final String STORAGE_PROP_NAME = "raftline.storage";

    /**
     * Default for {@link #STORAGE_PROP_NAME}.
     */
    public static final String STORAGE_DEFAULT = "file";

    /**
     * Shortest election timeout.
     */
    public static final String ELECTION_TIMEOUT_MIN_PROP_NAME = "raftline.election.timeout.min";

    /**
     * Default for {@link #ELECTION_TIMEOUT_MIN_PROP_NAME}.
     */
    public static final long ELECTION_TIMEOUT_MIN_DEFAULT_NS = 100_000_000L;

    /**
     * Longest election timeout (exclusive).
     */
    public static final String ELECTION_TIMEOUT_MAX_PROP_NAME = "raftline.election.timeout.max";

    /**
     * Default for {@link #ELECTION_TIMEOUT_MAX_PROP_NAME}.
     */
    public static final long ELECTION_TIMEOUT_MAX_DEFAULT_NS = 200_000_000L;

    /**
     * How often a leader sends to an idle follower.
     */
    public static final String HEARTBEAT_INTERVAL_PROP_NAME = "raftline.heartbeat.interval";

    /**
     * Default for {@link #HEARTBEAT_INTERVAL_PROP_NAME}.
     */
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = 20_000_000L;

    /**
     * Stream id base of consensus traffic: a member receives on base + its id.
     */
    public static final String CONSENSUS_STREAM_BASE_PROP_NAME = "raftline.consensus.stream.base";

    /**
     * Default for {@link #CONSENSUS_STREAM_BASE_PROP_NAME}.
     */
    public static final int CONSENSUS_STREAM_BASE_DEFAULT = 1000;

    /**
     * Stream id base of client ingress: a member receives client traffic on base + its id.
     */
    public static final String INGRESS_STREAM_BASE_PROP_NAME = "raftline.ingress.stream.base";

    /**
     * Default for {@link #INGRESS_STREAM_BASE_PROP_NAME}.
     */
    public static final int INGRESS_STREAM_BASE_DEFAULT = 2000;

    /**
     * Most entries in one AppendEntries.
     */
    public static final String MAX_BATCH_ENTRIES_PROP_NAME = "raftline.max.batch.entries";

    /**
     * Default for {@link #MAX_BATCH_ENTRIES_PROP_NAME}.
     */
    public static final int MAX_BATCH_ENTRIES_DEFAULT = 1024;

    /**
     * Most unacknowledged AppendEntries per follower.
     */
    public static final String MAX_INFLIGHT_BATCHES_PROP_NAME = "raftline.max.inflight.batches";

    /**
     * Default for {@link #MAX_INFLIGHT_BATCHES_PROP_NAME}.
     */
    public static final int MAX_INFLIGHT_BATCHES_DEFAULT = 64;

    /**
     * Longest consensus frame: bounds an AppendEntries batch. At most the publication's max message length.
     */
    public static final String MAX_FRAME_LENGTH_PROP_NAME = "raftline.max.frame.length";

    /**
     * Default for {@link #MAX_FRAME_LENGTH_PROP_NAME}.
     */
    public static final int MAX_FRAME_LENGTH_DEFAULT = 1 << 20;

    /**
     * Largest command a client may send, in bytes.
     */
    public static final String MAX_COMMAND_LENGTH_PROP_NAME = "raftline.max.command.length";

    /**
     * Default for {@link #MAX_COMMAND_LENGTH_PROP_NAME}.
     */
    public static final int MAX_COMMAND_LENGTH_DEFAULT = 512 * 1024;

    /**
     * Most fragments polled from each subscription per duty cycle.
     */
    public static final String FRAGMENT_LIMIT_PROP_NAME = "raftline.fragment.limit";

    /**
     * Default for {@link #FRAGMENT_LIMIT_PROP_NAME}.
     */
    public static final int FRAGMENT_LIMIT_DEFAULT = 64;

    /**
     * Idle strategy of the member's agent: busy, yield, backoff or sleep-&lt;duration&gt;.
     */
    public static final String IDLE_STRATEGY_PROP_NAME = "raftline.idle.strategy";

    /**
     * Default for {@link #IDLE_STRATEGY_PROP_NAME}; measured best on a 2-core host (see the README).
     */
    public static final String IDLE_STRATEGY_DEFAULT = "yield";

    /**
     * Aeron directory of an external media driver; unset means an embedded driver in {@link #DRIVER_DIR_PROP_NAME}.
     */
    public static final String AERON_DIR_PROP_NAME = "raftline.aeron.dir";

    /**
     * Directory of the member's embedded media driver (when {@link #AERON_DIR_PROP_NAME} is unset); unset means
     * {@code <driver dir base>/raftline-member-<id>-<hash of the member's data directory>}, the same at every start,
     * so that a restart after a crash reclaims what the dead driver left (see {@link DriverDirectory}).
     */
    public static final String DRIVER_DIR_PROP_NAME = "raftline.driver.dir";

    /**
     * Directory under which embedded media drivers, of members and of clients, make their directories; unset means
     * {@code /dev/shm} where it is a writable directory, else {@code java.io.tmpdir}.
     */
    public static final String DRIVER_DIR_BASE_PROP_NAME = "raftline.driver.dir.base";

    /**
     * Most open client sessions.
     */
    public static final String MAX_SESSIONS_PROP_NAME = "raftline.max.sessions";

    /**
     * Default for {@link #MAX_SESSIONS_PROP_NAME}.
     */
    public static final int MAX_SESSIONS_DEFAULT = 4096;

    /**
     * How long a session may stay silent before the leader closes it.
     */
    public static final String SESSION_TIMEOUT_PROP_NAME = "raftline.session.timeout";

    /**
     * Default for {@link #SESSION_TIMEOUT_PROP_NAME}.
     */
    public static final long SESSION_TIMEOUT_DEFAULT_NS = 10_000_000_000L;

    /**
     * Answers each session remembers, so that a retried command gets its original answer.
     */
    public static final String RESPONSE_CACHE_ENTRIES_PROP_NAME = "raftline.response.cache.entries";

    /**
     * Default for {@link #RESPONSE_CACHE_ENTRIES_PROP_NAME}.
     */
    public static final int RESPONSE_CACHE_ENTRIES_DEFAULT = 256;

    /**
     * Longest answer remembered per command; longer ones are answered DUPLICATE without payload on a retry.
     */
    public static final String RESPONSE_CACHE_LENGTH_PROP_NAME = "raftline.response.cache.length";

    /**
     * Default for {@link #RESPONSE_CACHE_LENGTH_PROP_NAME}.
     */
    public static final int RESPONSE_CACHE_LENGTH_DEFAULT = 64;

    /**
     * Commands applied after the last snapshot that trigger the next one (0: only the byte trigger).
     */
    public static final String SNAPSHOT_INTERVAL_ENTRIES_PROP_NAME = "raftline.snapshot.interval.entries";

    /**
     * Default for {@link #SNAPSHOT_INTERVAL_ENTRIES_PROP_NAME}.
     */
    public static final long SNAPSHOT_INTERVAL_ENTRIES_DEFAULT = 1_000_000L;

    /**
     * Bytes of commands applied after the last snapshot that trigger the next one (0: only the entry trigger).
     */
    public static final String SNAPSHOT_INTERVAL_BYTES_PROP_NAME = "raftline.snapshot.interval.bytes";

    /**
     * Default for {@link #SNAPSHOT_INTERVAL_BYTES_PROP_NAME}.
     */
    public static final long SNAPSHOT_INTERVAL_BYTES_DEFAULT = 256L * 1024 * 1024;

    /**
     * Log entries kept below a snapshot, so a follower slightly behind catches up from the log.
     */
    public static final String COMPACTION_RETAIN_ENTRIES_PROP_NAME = "raftline.compaction.retain.entries";

    /**
     * Default for {@link #COMPACTION_RETAIN_ENTRIES_PROP_NAME}.
     */
    public static final long COMPACTION_RETAIN_ENTRIES_DEFAULT = 100_000L;

    private MemberConfiguration()
    {
    }

    static int memberId()
    {
        return getInteger(MEMBER_ID_PROP_NAME, -1);
    }

    static String members()
    {
        return System.getProperty(MEMBERS_PROP_NAME);
    }

    static String dir()
    {
        return System.getProperty(DIR_PROP_NAME, DIR_DEFAULT);
    }

    static String durability()
    {
        return System.getProperty(DURABILITY_PROP_NAME, DURABILITY_DEFAULT);
    }

    static String storage()
    {
        return System.getProperty(STORAGE_PROP_NAME, STORAGE_DEFAULT);
    }

    static long electionTimeoutMinNs()
    {
        return SystemUtil.getDurationInNanos(ELECTION_TIMEOUT_MIN_PROP_NAME, ELECTION_TIMEOUT_MIN_DEFAULT_NS);
    }

    static long electionTimeoutMaxNs()
    {
        return SystemUtil.getDurationInNanos(ELECTION_TIMEOUT_MAX_PROP_NAME, ELECTION_TIMEOUT_MAX_DEFAULT_NS);
    }

    static long heartbeatIntervalNs()
    {
        return SystemUtil.getDurationInNanos(HEARTBEAT_INTERVAL_PROP_NAME, HEARTBEAT_INTERVAL_DEFAULT_NS);
    }

    static int consensusStreamBase()
    {
        return getInteger(CONSENSUS_STREAM_BASE_PROP_NAME, CONSENSUS_STREAM_BASE_DEFAULT);
    }

    static int ingressStreamBase()
    {
        return getInteger(INGRESS_STREAM_BASE_PROP_NAME, INGRESS_STREAM_BASE_DEFAULT);
    }

    static int maxBatchEntries()
    {
        return getInteger(MAX_BATCH_ENTRIES_PROP_NAME, MAX_BATCH_ENTRIES_DEFAULT);
    }

    static int maxInflightBatches()
    {
        return getInteger(MAX_INFLIGHT_BATCHES_PROP_NAME, MAX_INFLIGHT_BATCHES_DEFAULT);
    }

    static int maxFrameLength()
    {
        return getInteger(MAX_FRAME_LENGTH_PROP_NAME, MAX_FRAME_LENGTH_DEFAULT);
    }

    static int maxCommandLength()
    {
        return getInteger(MAX_COMMAND_LENGTH_PROP_NAME, MAX_COMMAND_LENGTH_DEFAULT);
    }

    static int fragmentLimit()
    {
        return getInteger(FRAGMENT_LIMIT_PROP_NAME, FRAGMENT_LIMIT_DEFAULT);
    }

    static String idleStrategy()
    {
        return System.getProperty(IDLE_STRATEGY_PROP_NAME, IDLE_STRATEGY_DEFAULT);
    }

    static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP_NAME);
    }

    static String driverDir()
    {
        return System.getProperty(DRIVER_DIR_PROP_NAME);
    }

    static String driverDirBase()
    {
        return System.getProperty(DRIVER_DIR_BASE_PROP_NAME);
    }

    static int maxSessions()
    {
        return getInteger(MAX_SESSIONS_PROP_NAME, MAX_SESSIONS_DEFAULT);
    }

    static long sessionTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(SESSION_TIMEOUT_PROP_NAME, SESSION_TIMEOUT_DEFAULT_NS);
    }

    static int responseCacheEntries()
    {
        return getInteger(RESPONSE_CACHE_ENTRIES_PROP_NAME, RESPONSE_CACHE_ENTRIES_DEFAULT);
    }

    static long snapshotIntervalEntries()
    {
        return Long.getLong(SNAPSHOT_INTERVAL_ENTRIES_PROP_NAME, SNAPSHOT_INTERVAL_ENTRIES_DEFAULT);
    }

    static long snapshotIntervalBytes()
    {
        return Long.getLong(SNAPSHOT_INTERVAL_BYTES_PROP_NAME, SNAPSHOT_INTERVAL_BYTES_DEFAULT);
    }

    static long compactionRetainEntries()
    {
        return Long.getLong(COMPACTION_RETAIN_ENTRIES_PROP_NAME, COMPACTION_RETAIN_ENTRIES_DEFAULT);
    }

    static int responseCacheLength()
    {
        return getInteger(RESPONSE_CACHE_LENGTH_PROP_NAME, RESPONSE_CACHE_LENGTH_DEFAULT);
    }
}
