package io.raftline.engine.agent;

import io.raftline.engine.core.RaftConfig;
import io.raftline.log.Durability;
import org.agrona.SystemUtil;

/**
 * Property names and defaults of a member's settings; each setting of {@link MemberContext} starts from the value
 * here, which a system property may override. This is the one place where a member's settings are read from text
 * (the samples' command lines call the same parsers); the context holds them typed. Units are in the names;
 * durations accept Agrona's suffixes ({@code 150ms}, {@code 2s}, {@code 500us}). A malformed value is refused with
 * a message naming the property, never replaced by the default. The Raft core's own defaults are
 * {@link RaftConfig}'s.
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
    public static final Durability DURABILITY_DEFAULT = Durability.NONE;

    /**
     * Where the log lives: {@code file} (Chronicle Queue) or {@code memory} (lost with the process; for tests and
     * protocol benchmarks).
     */
    public static final String STORAGE_PROP_NAME = "raftline.storage";

    /**
     * Default for {@link #STORAGE_PROP_NAME}.
     */
    public static final StorageType STORAGE_DEFAULT = StorageType.FILE;

    /**
     * Shortest election timeout.
     */
    public static final String ELECTION_TIMEOUT_MIN_PROP_NAME = "raftline.election.timeout.min";

    /**
     * Default for {@link #ELECTION_TIMEOUT_MIN_PROP_NAME}.
     */
    public static final long ELECTION_TIMEOUT_MIN_DEFAULT_NS = RaftConfig.ELECTION_TIMEOUT_MIN_DEFAULT_NS;

    /**
     * Longest election timeout (exclusive).
     */
    public static final String ELECTION_TIMEOUT_MAX_PROP_NAME = "raftline.election.timeout.max";

    /**
     * Default for {@link #ELECTION_TIMEOUT_MAX_PROP_NAME}.
     */
    public static final long ELECTION_TIMEOUT_MAX_DEFAULT_NS = RaftConfig.ELECTION_TIMEOUT_MAX_DEFAULT_NS;

    /**
     * How often a leader sends to an idle follower.
     */
    public static final String HEARTBEAT_INTERVAL_PROP_NAME = "raftline.heartbeat.interval";

    /**
     * Default for {@link #HEARTBEAT_INTERVAL_PROP_NAME}.
     */
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = RaftConfig.HEARTBEAT_INTERVAL_DEFAULT_NS;

    /**
     * Whether a member runs a pre-vote before it starts an election ({@code true} or {@code false}).
     */
    public static final String PRE_VOTE_PROP_NAME = "raftline.pre.vote";

    /**
     * Default for {@link #PRE_VOTE_PROP_NAME}.
     */
    public static final boolean PRE_VOTE_DEFAULT = RaftConfig.PRE_VOTE_DEFAULT;

    /**
     * Reads: whether the leader answers lease reads from its state while its lease holds ({@code true} or
     * {@code false}; needs pre-vote).
     */
    public static final String LEASE_READS_PROP_NAME = "raftline.lease.reads";

    /**
     * Reads: how much shorter than the minimum election timeout the leader's lease is, the bound on clock drift
     * (a duration).
     */
    public static final String LEASE_CLOCK_DRIFT_PROP_NAME = "raftline.lease.clock.drift";

    /**
     * Reads: the most reads of each kind waiting in a member at once.
     */
    public static final String MAX_PENDING_READS_PROP_NAME = "raftline.max.pending.reads";

    /**
     * Whether a leader steps down when it has not heard from a majority for an election timeout.
     */
    public static final String CHECK_QUORUM_PROP_NAME = "raftline.check.quorum";

    /**
     * Default for {@link #CHECK_QUORUM_PROP_NAME}.
     */
    public static final boolean CHECK_QUORUM_DEFAULT = RaftConfig.CHECK_QUORUM_DEFAULT;

    /**
     * Most committed entries applied in one duty cycle (bounds a cycle's length while a member catches up).
     */
    public static final String MAX_APPLIES_PER_CYCLE_PROP_NAME = "raftline.max.applies.per.cycle";

    /**
     * Default for {@link #MAX_APPLIES_PER_CYCLE_PROP_NAME}.
     */
    public static final int MAX_APPLIES_PER_CYCLE_DEFAULT = RaftConfig.MAX_APPLIES_PER_CYCLE_DEFAULT;

    /**
     * Most snapshot chunks sent to one follower and not yet acknowledged.
     */
    public static final String MAX_INFLIGHT_SNAPSHOT_CHUNKS_PROP_NAME = "raftline.max.inflight.snapshot.chunks";

    /**
     * Default for {@link #MAX_INFLIGHT_SNAPSHOT_CHUNKS_PROP_NAME}.
     */
    public static final int MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT = RaftConfig.MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT;

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
    public static final int MAX_BATCH_ENTRIES_DEFAULT = RaftConfig.MAX_ENTRIES_PER_BATCH_DEFAULT;

    /**
     * Most unacknowledged AppendEntries per follower.
     */
    public static final String MAX_INFLIGHT_BATCHES_PROP_NAME = "raftline.max.inflight.batches";

    /**
     * Default for {@link #MAX_INFLIGHT_BATCHES_PROP_NAME}.
     */
    public static final int MAX_INFLIGHT_BATCHES_DEFAULT = RaftConfig.MAX_INFLIGHT_BATCHES_DEFAULT;

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
     * Idle strategy of the member's agent: busy, noop, yield, backoff or sleep-&lt;duration&gt; (at most an eighth of
     * the minimum election timeout).
     */
    public static final String IDLE_STRATEGY_PROP_NAME = "raftline.idle.strategy";

    /**
     * Default for {@link #IDLE_STRATEGY_PROP_NAME}; measured best on a 2-core host (see the README).
     */
    public static final IdleStrategyType IDLE_STRATEGY_DEFAULT = IdleStrategyType.YIELD;

    /**
     * Default sleep of {@link IdleStrategyType#SLEEP} when it is set without a duration.
     */
    public static final long IDLE_SLEEP_DEFAULT_NS = 1_000_000L;

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
     * Most service timers scheduled at once ({@code Cluster.scheduleTimer}); must be the same on every member.
     */
    public static final String MAX_TIMERS_PROP_NAME = "raftline.max.timers";

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
        return intProperty(MEMBER_ID_PROP_NAME, -1);
    }

    static String members()
    {
        return System.getProperty(MEMBERS_PROP_NAME);
    }

    static String dir()
    {
        return System.getProperty(DIR_PROP_NAME, DIR_DEFAULT);
    }

    static Durability durability()
    {
        final String value = System.getProperty(DURABILITY_PROP_NAME);
        return null == value ? DURABILITY_DEFAULT : Durability.parse(value);
    }

    static StorageType storage()
    {
        final String value = System.getProperty(STORAGE_PROP_NAME);
        return null == value ? STORAGE_DEFAULT : StorageType.parse(value);
    }

    static IdleStrategyType idleStrategyType()
    {
        final String value = System.getProperty(IDLE_STRATEGY_PROP_NAME);
        return null == value ? IDLE_STRATEGY_DEFAULT : IdleStrategies.type(value);
    }

    static long idleSleepNs()
    {
        final String value = System.getProperty(IDLE_STRATEGY_PROP_NAME);
        return null == value || IdleStrategyType.SLEEP != IdleStrategies.type(value) ? IDLE_SLEEP_DEFAULT_NS :
            IdleStrategies.sleepNs(value);
    }

    /**
     * @return a builder of the core's settings with every value the system properties set.
     */
    static RaftConfig.Builder raftConfig()
    {
        return RaftConfig.builder()
            .electionTimeoutNs(
                durationProperty(ELECTION_TIMEOUT_MIN_PROP_NAME, ELECTION_TIMEOUT_MIN_DEFAULT_NS),
                durationProperty(ELECTION_TIMEOUT_MAX_PROP_NAME, ELECTION_TIMEOUT_MAX_DEFAULT_NS))
            .heartbeatIntervalNs(durationProperty(HEARTBEAT_INTERVAL_PROP_NAME, HEARTBEAT_INTERVAL_DEFAULT_NS))
            .maxEntriesPerBatch(intProperty(MAX_BATCH_ENTRIES_PROP_NAME, MAX_BATCH_ENTRIES_DEFAULT))
            .maxInflightBatches(intProperty(MAX_INFLIGHT_BATCHES_PROP_NAME, MAX_INFLIGHT_BATCHES_DEFAULT))
            .maxAppliesPerCycle(intProperty(MAX_APPLIES_PER_CYCLE_PROP_NAME, MAX_APPLIES_PER_CYCLE_DEFAULT))
            .preVote(booleanProperty(PRE_VOTE_PROP_NAME, PRE_VOTE_DEFAULT))
            .checkQuorum(booleanProperty(CHECK_QUORUM_PROP_NAME, CHECK_QUORUM_DEFAULT))
            .leaseReads(booleanProperty(LEASE_READS_PROP_NAME, false))
            .leaseClockDriftNs(durationProperty(LEASE_CLOCK_DRIFT_PROP_NAME, RaftConfig.LEASE_CLOCK_DRIFT_DEFAULT_NS))
            .maxPendingReads(intProperty(MAX_PENDING_READS_PROP_NAME, RaftConfig.MAX_PENDING_READS_DEFAULT))
            .snapshotIntervalEntries(
                longProperty(SNAPSHOT_INTERVAL_ENTRIES_PROP_NAME, SNAPSHOT_INTERVAL_ENTRIES_DEFAULT))
            .snapshotIntervalBytes(longProperty(SNAPSHOT_INTERVAL_BYTES_PROP_NAME, SNAPSHOT_INTERVAL_BYTES_DEFAULT))
            .compactionRetainEntries(
                longProperty(COMPACTION_RETAIN_ENTRIES_PROP_NAME, COMPACTION_RETAIN_ENTRIES_DEFAULT))
            .maxInflightSnapshotChunks(
                intProperty(MAX_INFLIGHT_SNAPSHOT_CHUNKS_PROP_NAME, MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT));
    }

    static int consensusStreamBase()
    {
        return intProperty(CONSENSUS_STREAM_BASE_PROP_NAME, CONSENSUS_STREAM_BASE_DEFAULT);
    }

    static int ingressStreamBase()
    {
        return intProperty(INGRESS_STREAM_BASE_PROP_NAME, INGRESS_STREAM_BASE_DEFAULT);
    }

    static int maxFrameLength()
    {
        return intProperty(MAX_FRAME_LENGTH_PROP_NAME, MAX_FRAME_LENGTH_DEFAULT);
    }

    static int maxCommandLength()
    {
        return intProperty(MAX_COMMAND_LENGTH_PROP_NAME, MAX_COMMAND_LENGTH_DEFAULT);
    }

    static int fragmentLimit()
    {
        return intProperty(FRAGMENT_LIMIT_PROP_NAME, FRAGMENT_LIMIT_DEFAULT);
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
        return intProperty(MAX_SESSIONS_PROP_NAME, MAX_SESSIONS_DEFAULT);
    }

    static int maxTimers()
    {
        return intProperty(MAX_TIMERS_PROP_NAME, io.raftline.engine.Cluster.MAX_TIMERS_DEFAULT);
    }

    static long sessionTimeoutNs()
    {
        return durationProperty(SESSION_TIMEOUT_PROP_NAME, SESSION_TIMEOUT_DEFAULT_NS);
    }

    static int responseCacheEntries()
    {
        return intProperty(RESPONSE_CACHE_ENTRIES_PROP_NAME, RESPONSE_CACHE_ENTRIES_DEFAULT);
    }

    static int responseCacheLength()
    {
        return intProperty(RESPONSE_CACHE_LENGTH_PROP_NAME, RESPONSE_CACHE_LENGTH_DEFAULT);
    }

    /**
     * @param name         of a system property holding an integer.
     * @param defaultValue when it is unset.
     * @return its value.
     * @throws IllegalArgumentException naming the property if it is set but not an integer.
     */
    public static int intProperty(final String name, final int defaultValue)
    {
        final String value = System.getProperty(name);
        try
        {
            return null == value ? defaultValue : Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "=" + value + " must be an integer");
        }
    }

    /**
     * @param name         of a system property holding an integer.
     * @param defaultValue when it is unset.
     * @return its value.
     * @throws IllegalArgumentException naming the property if it is set but not an integer.
     */
    public static long longProperty(final String name, final long defaultValue)
    {
        final String value = System.getProperty(name);
        try
        {
            return null == value ? defaultValue : Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "=" + value + " must be an integer");
        }
    }

    /**
     * @param name         of a system property holding a duration ({@code 150ms}, {@code 2s}; no suffix: ns).
     * @param defaultNs    when it is unset.
     * @return its value in nanoseconds.
     * @throws IllegalArgumentException naming the property if it is set but not a duration.
     */
    public static long durationProperty(final String name, final long defaultNs)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultNs : SystemUtil.parseDuration(name, value.trim());
    }

    /**
     * @param name         of a system property holding {@code true} or {@code false}.
     * @param defaultValue when it is unset.
     * @return its value.
     * @throws IllegalArgumentException naming the property if it is set to anything else.
     */
    public static boolean booleanProperty(final String name, final boolean defaultValue)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        switch (value.trim().toLowerCase())
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(name + "=" + value + " must be true or false");
        }
    }
}
