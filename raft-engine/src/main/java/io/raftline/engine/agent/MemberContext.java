package io.raftline.engine.agent;

import io.aeron.Aeron;
import io.raftline.engine.Authenticator;
import io.raftline.engine.RaftService;
import io.raftline.engine.core.RaftConfig;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.log.Durability;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.File;

/**
 * The settings of one member, in the Aeron manner: every setting starts from {@link MemberConfiguration} (a
 * system property or the default), can be set fluently, typed, and {@link #conclude()} validates them against each
 * other once, with messages that name the values. The Raft core's settings are kept in the core's own
 * {@link RaftConfig.Builder} and built, validated, into {@link #raftConfig()}.
 */
public final class MemberContext implements Cloneable
{
    private boolean isConcluded;
    private int memberId = MemberConfiguration.memberId();
    private String members = MemberConfiguration.members();
    private String dir = MemberConfiguration.dir();
    private Durability durability = MemberConfiguration.durability();
    private StorageType storage = MemberConfiguration.storage();
    // The core's settings live once, in the core's own builder; conclude() adds what the context derives.
    private RaftConfig.Builder raft = MemberConfiguration.raftConfig();
    private int consensusStreamBase = MemberConfiguration.consensusStreamBase();
    private int ingressStreamBase = MemberConfiguration.ingressStreamBase();
    private int maxFrameLength = MemberConfiguration.maxFrameLength();
    private int maxCommandLength = MemberConfiguration.maxCommandLength();
    private int fragmentLimit = MemberConfiguration.fragmentLimit();
    private IdleStrategyType idleStrategyType = MemberConfiguration.idleStrategyType();
    private long idleSleepNs = MemberConfiguration.idleSleepNs();
    private String aeronDirectoryName = MemberConfiguration.aeronDir();
    private String driverDir = MemberConfiguration.driverDir();
    private int maxSessions = MemberConfiguration.maxSessions();
    private int maxTimers = MemberConfiguration.maxTimers();
    private long sessionTimeoutNs = MemberConfiguration.sessionTimeoutNs();
    private int responseCacheEntries = MemberConfiguration.responseCacheEntries();
    private int responseCacheLength = MemberConfiguration.responseCacheLength();
    private RaftService service;
    private Authenticator authenticator = Authenticator.ACCEPT_ALL;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private ErrorHandler errorHandler;
    private IdleStrategy idleStrategy;
    private Aeron aeron;
    private MemberStorage.Factory storageFactory;
    private ClusterMembers clusterMembers;
    private boolean isJoining;
    private RaftConfig raftConfig;
    private long randomSeed = System.nanoTime();

    /**
     * Validate the settings and derive the values the member runs with. Called once by {@link RaftMember#launch}.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException    if called twice.
     * @throws IllegalArgumentException naming the settings that do not fit together.
     */
    public MemberContext conclude()
    {
        if (isConcluded)
        {
            throw new IllegalStateException("MemberContext already concluded");
        }
        isConcluded = true;
        if (null == service)
        {
            throw new IllegalArgumentException("service must be set: the RaftService this member replicates");
        }
        clusterMembers = ClusterMembers.parse(members);
        MemberContextChecks.checkIsMember(clusterMembers, memberId, members);
        if (null == durability || null == storage || null == idleStrategyType)
        {
            throw new IllegalArgumentException("durability=" + durability + ", storage=" + storage +
                " and idleStrategy=" + idleStrategyType + " must be set");
        }
        MemberContextChecks.checkStreams(clusterMembers, consensusStreamBase, ingressStreamBase);
        if (fragmentLimit < 1)
        {
            throw new IllegalArgumentException("fragmentLimit=" + fragmentLimit + " must be >= 1");
        }
        final int largestEntry = MemberContextChecks.checkFrameFitsEntry(maxFrameLength, maxCommandLength);
        final RaftConfig requested = raft.copy()
            .memberId(memberId)
            // A joining member knows only itself and the seeds it reaches the cluster through; the configuration
            // comes from the leader. Otherwise the list bootstraps a new cluster (a log's configuration wins).
            .memberIds(isJoining ? new int[]{memberId} : clusterMembers.ids())
            .endpoints(clusterMembers.isIpc() ? null : isJoining ?
                new String[]{clusterMembers.member(memberId).endpoint()} :
                MemberContextChecks.endpoints(clusterMembers))
            .joining(isJoining)
            .maxEntryLength(largestEntry)
            // Sessions need it: a new leader learns which sessions are open only once it applies an entry of its
            // own term. The core's tests turn it off through RaftConfig itself.
            .appendLeaderNoop(true)
            .snapshotChunkLength(
                Math.min(256 * 1024, maxFrameLength - ConsensusEncoder.INSTALL_SNAPSHOT_HEADER_LENGTH))
            .build();
        // An AppendEntries frame has room for a fixed number of entries, whatever a batch may hold.
        raftConfig = requested.maxEntriesPerBatch() <= ConsensusEncoder.MAX_ENTRIES_PER_FRAME ? requested :
            requested.toBuilder().maxEntriesPerBatch(ConsensusEncoder.MAX_ENTRIES_PER_FRAME).build();
        MemberContextChecks.checkSessions(
            raftConfig, sessionTimeoutNs, maxSessions, responseCacheEntries, responseCacheLength);
        if (null == idleStrategy)
        {
            MemberContextChecks.checkIdleSleep(raftConfig, idleStrategyType, idleSleepNs);
            idleStrategy = idleStrategyType.newIdleStrategy(idleSleepNs);
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) ->
            {
                System.err.println("raftline member " + memberId + ": " + throwable);
                throwable.printStackTrace(System.err);
            };
        }
        if (null == storageFactory)
        {
            storageFactory = StorageType.MEMORY == storage ? MemberContext::inMemoryStorage : FileStorage::open;
        }
        return this;
    }

    /**
     * @param joining true for a member that joins a running cluster: {@link #members(String)} names this member and
     *                one or more existing members to reach it through; the configuration comes from the leader once
     *                an operator added this member (e.g. as a learner). Only an empty log starts that way.
     * @return this for a fluent API.
     */
    public MemberContext joining(final boolean joining)
    {
        this.isJoining = joining;
        return this;
    }

    /**
     * @return whether this member joins a running cluster.
     */
    public boolean isJoining()
    {
        return isJoining;
    }

    static MemberStorage inMemoryStorage(final MemberContext ctx)
    {
        return new MemberStorage(new InMemoryRaftLog(false), new InMemoryMetadataStore(), new InMemorySnapshotStore());
    }

    /**
     * @return a copy for launching another member with mostly the same settings, not yet concluded.
     */
    public MemberContext copy()
    {
        try
        {
            final MemberContext copy = (MemberContext)super.clone();
            copy.isConcluded = false;
            copy.idleStrategy = null;
            copy.raft = raft.copy();
            return copy;
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return the directory of this member's files.
     */
    public File memberDir()
    {
        return new File(dir, "member-" + memberId);
    }

    /**
     * @param memberId of this member.
     * @return this for a fluent API.
     */
    public MemberContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    /**
     * @return the id of this member.
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * @param members of the cluster, {@code "0,1,2"} or {@code "0@host:port,..."}.
     * @return this for a fluent API.
     */
    public MemberContext members(final String members)
    {
        this.members = members;
        return this;
    }

    /**
     * @return the members as configured.
     */
    public String members()
    {
        return members;
    }

    /**
     * @return the parsed members, after {@link #conclude()}.
     */
    public ClusterMembers clusterMembers()
    {
        return clusterMembers;
    }

    /**
     * @param dir under which member directories live.
     * @return this for a fluent API.
     */
    public MemberContext dir(final String dir)
    {
        this.dir = dir;
        return this;
    }

    /**
     * @return the directory under which member directories live.
     */
    public String dir()
    {
        return dir;
    }

    /**
     * @param durability of the log and metadata.
     * @return this for a fluent API.
     */
    public MemberContext durability(final Durability durability)
    {
        this.durability = durability;
        return this;
    }

    /**
     * @return the durability level.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @param storage where the log, metadata and snapshots live.
     * @return this for a fluent API.
     */
    public MemberContext storage(final StorageType storage)
    {
        this.storage = storage;
        return this;
    }

    /**
     * @return where the log, metadata and snapshots live.
     */
    public StorageType storage()
    {
        return storage;
    }

    /**
     * @param minNs shortest election timeout.
     * @param maxNs longest election timeout (exclusive).
     * @return this for a fluent API.
     */
    public MemberContext electionTimeoutNs(final long minNs, final long maxNs)
    {
        raft.electionTimeoutNs(minNs, maxNs);
        return this;
    }

    /**
     * @param heartbeatIntervalNs how often a leader sends to an idle follower.
     * @return this for a fluent API.
     */
    public MemberContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        raft.heartbeatIntervalNs(heartbeatIntervalNs);
        return this;
    }

    /**
     * @param consensusStreamBase stream id base of consensus traffic.
     * @return this for a fluent API.
     */
    public MemberContext consensusStreamBase(final int consensusStreamBase)
    {
        this.consensusStreamBase = consensusStreamBase;
        return this;
    }

    /**
     * @return the stream id base of consensus traffic.
     */
    public int consensusStreamBase()
    {
        return consensusStreamBase;
    }

    /**
     * @param ingressStreamBase stream id base of client ingress.
     * @return this for a fluent API.
     */
    public MemberContext ingressStreamBase(final int ingressStreamBase)
    {
        this.ingressStreamBase = ingressStreamBase;
        return this;
    }

    /**
     * @return the stream id base of client ingress.
     */
    public int ingressStreamBase()
    {
        return ingressStreamBase;
    }

    /**
     * @param maxBatchEntries most entries per AppendEntries.
     * @return this for a fluent API.
     */
    public MemberContext maxBatchEntries(final int maxBatchEntries)
    {
        raft.maxEntriesPerBatch(maxBatchEntries);
        return this;
    }

    /**
     * @param maxInflightBatches most unacknowledged batches per follower.
     * @return this for a fluent API.
     */
    public MemberContext maxInflightBatches(final int maxInflightBatches)
    {
        raft.maxInflightBatches(maxInflightBatches);
        return this;
    }

    /**
     * @param maxFrameLength longest consensus frame.
     * @return this for a fluent API.
     */
    public MemberContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * @return the longest consensus frame.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @param maxCommandLength largest command a client may send.
     * @return this for a fluent API.
     */
    public MemberContext maxCommandLength(final int maxCommandLength)
    {
        this.maxCommandLength = maxCommandLength;
        return this;
    }

    /**
     * @return the largest command a client may send.
     */
    public int maxCommandLength()
    {
        return maxCommandLength;
    }

    /**
     * @param fragmentLimit most fragments per subscription per duty cycle.
     * @return this for a fluent API.
     */
    public MemberContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * @return most fragments per subscription per duty cycle.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * @param type of the agent's idle strategy; {@link IdleStrategyType#SLEEP} sleeps for
     *             {@link MemberConfiguration#IDLE_SLEEP_DEFAULT_NS}.
     * @return this for a fluent API.
     */
    public MemberContext idleStrategy(final IdleStrategyType type)
    {
        return idleStrategy(type, MemberConfiguration.IDLE_SLEEP_DEFAULT_NS);
    }

    /**
     * @param type    of the agent's idle strategy.
     * @param sleepNs how long {@link IdleStrategyType#SLEEP} sleeps: at most an eighth of the minimum election
     *                timeout (checked by {@link #conclude()}).
     * @return this for a fluent API.
     */
    public MemberContext idleStrategy(final IdleStrategyType type, final long sleepNs)
    {
        this.idleStrategyType = type;
        this.idleSleepNs = sleepNs;
        this.idleStrategy = null;
        return this;
    }

    /**
     * @return the type of the agent's idle strategy (unless an idle strategy object was given).
     */
    public IdleStrategyType idleStrategyType()
    {
        return idleStrategyType;
    }

    /**
     * An idle strategy of the caller's. It must never wait longer than an eighth of the minimum election timeout:
     * the agent takes a longer gap between duty cycles for a stall of its thread and stops its timers for it (a
     * named {@code sleep-<duration>} strategy is checked by {@link #conclude()}; this one cannot be).
     *
     * @param idleStrategy for the agent's thread.
     * @return this for a fluent API.
     */
    public MemberContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return the idle strategy, after {@link #conclude()}.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param aeronDirectoryName of an external media driver, or null for an embedded one.
     * @return this for a fluent API.
     */
    public MemberContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * @return the Aeron directory, or null for an embedded driver.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @param driverDir of the member's embedded media driver, or null for the stable default
     *                  {@code <base>/raftline-member-<id>-<hash of the data directory>}.
     * @return this for a fluent API.
     */
    public MemberContext driverDir(final String driverDir)
    {
        this.driverDir = driverDir;
        return this;
    }

    /**
     * @return the directory of the member's embedded media driver: the one set, or the stable default derived from
     * the member's data directory and id (see {@link DriverDirectory}).
     */
    public File driverDir()
    {
        return null != driverDir ? new File(driverDir) :
            DriverDirectory.forMember(DriverDirectory.defaultBase(), memberId, memberDir());
    }

    /**
     * @param aeron client to use instead of connecting one; the member does not close it.
     * @return this for a fluent API.
     */
    public MemberContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * @return the Aeron client given, or null.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @param maxSessions most open client sessions.
     * @return this for a fluent API.
     */
    public MemberContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * @return most open client sessions.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * @param maxTimers most service timers scheduled at once; the same on every member.
     * @return this for a fluent API.
     */
    public MemberContext maxTimers(final int maxTimers)
    {
        this.maxTimers = maxTimers;
        return this;
    }

    /**
     * @return most service timers scheduled at once.
     */
    public int maxTimers()
    {
        return maxTimers;
    }

    /**
     * @param sessionTimeoutNs how long a session may stay silent.
     * @return this for a fluent API.
     */
    public MemberContext sessionTimeoutNs(final long sessionTimeoutNs)
    {
        this.sessionTimeoutNs = sessionTimeoutNs;
        return this;
    }

    /**
     * @return how long a session may stay silent.
     */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    /**
     * @param entries answers remembered per session.
     * @param length  longest answer remembered.
     * @return this for a fluent API.
     */
    public MemberContext responseCache(final int entries, final int length)
    {
        this.responseCacheEntries = entries;
        this.responseCacheLength = length;
        return this;
    }

    /**
     * @return answers remembered per session.
     */
    public int responseCacheEntries()
    {
        return responseCacheEntries;
    }

    /**
     * @return longest answer remembered.
     */
    public int responseCacheLength()
    {
        return responseCacheLength;
    }

    /**
     * @param entries applied after the last snapshot that trigger the next (0: only the byte trigger).
     * @param bytes   of commands applied after the last snapshot that trigger the next (0: only entries).
     * @return this for a fluent API.
     */
    public MemberContext snapshotInterval(final long entries, final long bytes)
    {
        raft.snapshotIntervalEntries(entries).snapshotIntervalBytes(bytes);
        return this;
    }

    /**
     * @param entries kept in the log below a snapshot.
     * @return this for a fluent API.
     */
    public MemberContext compactionRetainEntries(final long entries)
    {
        raft.compactionRetainEntries(entries);
        return this;
    }

    /**
     * @param service the replicated state machine.
     * @return this for a fluent API.
     */
    public MemberContext service(final RaftService service)
    {
        this.service = service;
        return this;
    }

    /**
     * @return the replicated state machine.
     */
    public RaftService service()
    {
        return service;
    }

    /**
     * @param authenticator deciding which clients may open sessions.
     * @return this for a fluent API.
     */
    public MemberContext authenticator(final Authenticator authenticator)
    {
        this.authenticator = authenticator;
        return this;
    }

    /**
     * @return the authenticator.
     */
    public Authenticator authenticator()
    {
        return authenticator;
    }

    /**
     * @param nanoClock the agent reads once per duty cycle.
     * @return this for a fluent API.
     */
    public MemberContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param errorHandler told of every error, counted.
     * @return this for a fluent API.
     */
    public MemberContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return the error handler.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param storageFactory that opens the member's stores instead of the default for {@link #storage()}.
     * @return this for a fluent API.
     */
    public MemberContext storageFactory(final MemberStorage.Factory storageFactory)
    {
        this.storageFactory = storageFactory;
        return this;
    }

    /**
     * @return the storage factory.
     */
    public MemberStorage.Factory storageFactory()
    {
        return storageFactory;
    }

    /**
     * @param randomSeed of the election timeout generator.
     * @return this for a fluent API.
     */
    public MemberContext randomSeed(final long randomSeed)
    {
        this.randomSeed = randomSeed;
        return this;
    }

    /**
     * @return the seed of the election timeout generator.
     */
    public long randomSeed()
    {
        return randomSeed;
    }

    /**
     * The core's settings as they will be built at {@link #conclude()}: every {@link RaftConfig.Builder} setting
     * not set by a method of this context (pre-vote, check-quorum, applies per cycle, snapshot chunks in flight,
     * ...) is set here; the members, the largest entry, the snapshot chunk length and the leader's no-op are
     * derived by conclude and overwritten.
     *
     * @return the builder of the core's settings, to set them directly.
     */
    public RaftConfig.Builder raft()
    {
        return raft;
    }

    /**
     * @return the Raft core's settings, after {@link #conclude()}.
     */
    public RaftConfig raftConfig()
    {
        return raftConfig;
    }
}
