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
 * system property or the default), can be set fluently, and {@link #conclude()} validates them against each other
 * once, with messages that name the values.
 */
public final class MemberContext implements Cloneable
{
    private boolean isConcluded;
    private int memberId = MemberConfiguration.memberId();
    private String members = MemberConfiguration.members();
    private String dir = MemberConfiguration.dir();
    private String durability = MemberConfiguration.durability();
    private String storage = MemberConfiguration.storage();
    private long electionTimeoutMinNs = MemberConfiguration.electionTimeoutMinNs();
    private long electionTimeoutMaxNs = MemberConfiguration.electionTimeoutMaxNs();
    private long heartbeatIntervalNs = MemberConfiguration.heartbeatIntervalNs();
    private int consensusStreamBase = MemberConfiguration.consensusStreamBase();
    private int ingressStreamBase = MemberConfiguration.ingressStreamBase();
    private int maxBatchEntries = MemberConfiguration.maxBatchEntries();
    private int maxInflightBatches = MemberConfiguration.maxInflightBatches();
    private int maxFrameLength = MemberConfiguration.maxFrameLength();
    private int maxCommandLength = MemberConfiguration.maxCommandLength();
    private int fragmentLimit = MemberConfiguration.fragmentLimit();
    private String idleStrategyName = MemberConfiguration.idleStrategy();
    private String aeronDirectoryName = MemberConfiguration.aeronDir();
    private String driverDir = MemberConfiguration.driverDir();
    private int maxSessions = MemberConfiguration.maxSessions();
    private long sessionTimeoutNs = MemberConfiguration.sessionTimeoutNs();
    private int responseCacheEntries = MemberConfiguration.responseCacheEntries();
    private int responseCacheLength = MemberConfiguration.responseCacheLength();
    private long snapshotIntervalEntries = MemberConfiguration.snapshotIntervalEntries();
    private long snapshotIntervalBytes = MemberConfiguration.snapshotIntervalBytes();
    private long compactionRetainEntries = MemberConfiguration.compactionRetainEntries();
    private RaftService service;
    private Authenticator authenticator = Authenticator.ACCEPT_ALL;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private ErrorHandler errorHandler;
    private IdleStrategy idleStrategy;
    private Aeron aeron;
    private MemberStorage.Factory storageFactory;
    private TransportFilter transportFilter;
    private ClusterMembers clusterMembers;
    private RaftConfig raftConfig;
    private Durability durabilityLevel;
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
        boolean isMember = false;
        for (final ClusterMembers.Member member : clusterMembers.members())
        {
            isMember |= member.id() == memberId;
        }
        if (!isMember)
        {
            throw new IllegalArgumentException("memberId=" + memberId + " is not one of members=" + members);
        }
        durabilityLevel = Durability.parse(durability);
        if (!"file".equals(storage) && !"memory".equals(storage))
        {
            throw new IllegalArgumentException("storage=" + storage + " must be file or memory");
        }
        if (consensusStreamBase + maxMemberId() >= ingressStreamBase && ingressStreamBase + maxMemberId() >=
            consensusStreamBase)
        {
            throw new IllegalArgumentException("consensusStreamBase=" + consensusStreamBase +
                " and ingressStreamBase=" + ingressStreamBase + " overlap for member ids up to " + maxMemberId());
        }
        if (fragmentLimit < 1)
        {
            throw new IllegalArgumentException("fragmentLimit=" + fragmentLimit + " must be >= 1");
        }
        final int largestEntry = ClientProtocol.commandEntryLength(maxCommandLength);
        final int smallestFrameForEntry = ConsensusEncoder.APPEND_ENTRIES_HEADER_LENGTH +
            ConsensusEncoder.APPEND_ENTRY_OVERHEAD + largestEntry;
        if (maxFrameLength < smallestFrameForEntry)
        {
            throw new IllegalArgumentException("maxFrameLength=" + maxFrameLength + " must be >= " +
                smallestFrameForEntry + " to carry a command of maxCommandLength=" + maxCommandLength);
        }
        if (sessionTimeoutNs <= electionTimeoutMaxNs)
        {
            throw new IllegalArgumentException("sessionTimeoutNs=" + sessionTimeoutNs +
                " must be > electionTimeoutMaxNs=" + electionTimeoutMaxNs + " so sessions survive a failover");
        }
        if (maxSessions < 1 || responseCacheEntries < 1 || responseCacheLength < 0)
        {
            throw new IllegalArgumentException("maxSessions=" + maxSessions + " and responseCacheEntries=" +
                responseCacheEntries + " must be >= 1, responseCacheLength=" + responseCacheLength + " >= 0");
        }
        raftConfig = RaftConfig.builder()
            .memberId(memberId)
            .memberIds(clusterMembers.ids())
            .electionTimeoutNs(electionTimeoutMinNs, electionTimeoutMaxNs)
            .heartbeatIntervalNs(heartbeatIntervalNs)
            .maxEntriesPerBatch(Math.min(maxBatchEntries, ConsensusEncoder.MAX_ENTRIES_PER_FRAME))
            .maxInflightBatches(maxInflightBatches)
            .maxEntryLength(largestEntry)
            .appendLeaderNoop(true)
            .snapshotIntervalEntries(snapshotIntervalEntries)
            .snapshotIntervalBytes(snapshotIntervalBytes)
            .compactionRetainEntries(compactionRetainEntries)
            .snapshotChunkLength(
                Math.min(256 * 1024, maxFrameLength - ConsensusEncoder.INSTALL_SNAPSHOT_HEADER_LENGTH))
            .build();
        if (null == idleStrategy)
        {
            idleStrategy = IdleStrategies.parse(idleStrategyName);
            if (IdleStrategies.sleepNs(idleStrategyName) * 8 > electionTimeoutMinNs)
            {
                // The agent takes a gap between duty cycles of a quarter of the minimum election timeout for a
                // stall of its thread and stops its timers for it; sleeping that long on purpose would hide a dead
                // leader (and miss heartbeats).
                throw new IllegalArgumentException("idleStrategy=" + idleStrategyName +
                    " sleeps more than an eighth of electionTimeoutMinNs=" + electionTimeoutMinNs);
            }
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
            storageFactory = "memory".equals(storage) ? MemberContext::inMemoryStorage : FileStorage::open;
        }
        return this;
    }

    private int maxMemberId()
    {
        int max = 0;
        for (final ClusterMembers.Member member : clusterMembers.members())
        {
            max = Math.max(max, member.id());
        }
        return max;
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
     * @param durability none, batch or each.
     * @return this for a fluent API.
     */
    public MemberContext durability(final String durability)
    {
        this.durability = durability;
        return this;
    }

    /**
     * @return the durability level, after {@link #conclude()}.
     */
    public Durability durability()
    {
        return durabilityLevel;
    }

    /**
     * @param storage file or memory.
     * @return this for a fluent API.
     */
    public MemberContext storage(final String storage)
    {
        this.storage = storage;
        return this;
    }

    /**
     * @return file or memory.
     */
    public String storage()
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
        this.electionTimeoutMinNs = minNs;
        this.electionTimeoutMaxNs = maxNs;
        return this;
    }

    /**
     * @return the longest election timeout.
     */
    public long electionTimeoutMaxNs()
    {
        return electionTimeoutMaxNs;
    }

    /**
     * @param heartbeatIntervalNs how often a leader sends to an idle follower.
     * @return this for a fluent API.
     */
    public MemberContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
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
        this.maxBatchEntries = maxBatchEntries;
        return this;
    }

    /**
     * @param maxInflightBatches most unacknowledged batches per follower.
     * @return this for a fluent API.
     */
    public MemberContext maxInflightBatches(final int maxInflightBatches)
    {
        this.maxInflightBatches = maxInflightBatches;
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
     * @param name of the idle strategy: busy, noop, yield, backoff or sleep-&lt;duration&gt;.
     * @return this for a fluent API.
     */
    public MemberContext idleStrategy(final String name)
    {
        this.idleStrategyName = name;
        this.idleStrategy = null;
        return this;
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
        this.snapshotIntervalEntries = entries;
        this.snapshotIntervalBytes = bytes;
        return this;
    }

    /**
     * @param entries kept in the log below a snapshot.
     * @return this for a fluent API.
     */
    public MemberContext compactionRetainEntries(final long entries)
    {
        this.compactionRetainEntries = entries;
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
     * @param transportFilter that may drop consensus frames (fault injection), or null.
     * @return this for a fluent API.
     */
    public MemberContext transportFilter(final TransportFilter transportFilter)
    {
        this.transportFilter = transportFilter;
        return this;
    }

    /**
     * @return the transport filter, or null.
     */
    public TransportFilter transportFilter()
    {
        return transportFilter;
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
     * @return the Raft core's settings, after {@link #conclude()}.
     */
    public RaftConfig raftConfig()
    {
        return raftConfig;
    }
}
