package io.raftline.engine.core;

import java.util.Arrays;

/**
 * The immutable settings of one member's Raft core. Build with {@link #builder()}; {@link Builder#build()}
 * validates the values against each other. The core never reads system properties: the agent's context does, and
 * passes the result here.
 */
public final class RaftConfig
{
    /**
     * Default shortest election timeout: 100 ms.
     */
    public static final long ELECTION_TIMEOUT_MIN_DEFAULT_NS = 100_000_000L;

    /**
     * Default longest election timeout (exclusive): 200 ms.
     */
    public static final long ELECTION_TIMEOUT_MAX_DEFAULT_NS = 200_000_000L;

    /**
     * Default heartbeat interval: 20 ms.
     */
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = 20_000_000L;

    /**
     * Default for the most entries in one AppendEntries.
     */
    public static final int MAX_ENTRIES_PER_BATCH_DEFAULT = 1024;

    /**
     * Default for the most unacknowledged AppendEntries per follower.
     */
    public static final int MAX_INFLIGHT_BATCHES_DEFAULT = 64;

    /**
     * Default for the most entries applied in one duty cycle.
     */
    public static final int MAX_APPLIES_PER_CYCLE_DEFAULT = 1024;

    /**
     * Default for the largest payload of a proposal: 1 MiB.
     */
    public static final int MAX_ENTRY_LENGTH_DEFAULT = 1 << 20;

    /**
     * Default for pre-vote: on.
     */
    public static final boolean PRE_VOTE_DEFAULT = true;

    /**
     * Default for check-quorum: on.
     */
    public static final boolean CHECK_QUORUM_DEFAULT = true;

    /**
     * Default for bytes of snapshot per InstallSnapshot message: 64 KiB.
     */
    public static final int SNAPSHOT_CHUNK_LENGTH_DEFAULT = 64 * 1024;

    /**
     * Default for the most unacknowledged snapshot chunks per follower.
     */
    public static final int MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT = 4;

    /**
     * Default for how much shorter than the minimum election timeout a leader's read lease is: 10 ms.
     */
    public static final long LEASE_CLOCK_DRIFT_DEFAULT_NS = 10_000_000L;

    /**
     * Default for the most reads of each kind waiting in the core.
     */
    public static final int MAX_PENDING_READS_DEFAULT = 4096;

    private final int memberId;
    private final int[] memberIds;
    private final long electionTimeoutMinNs;
    private final long electionTimeoutMaxNs;
    private final long heartbeatIntervalNs;
    private final int maxEntriesPerBatch;
    private final int maxInflightBatches;
    private final int maxAppliesPerCycle;
    private final int maxEntryLength;
    private final boolean isPreVoteEnabled;
    private final boolean isCheckQuorumEnabled;
    private final boolean appendsLeaderNoop;
    private final long snapshotIntervalEntries;
    private final long snapshotIntervalBytes;
    private final long compactionRetainEntries;
    private final int snapshotChunkLength;
    private final int maxInflightSnapshotChunks;
    private final boolean isLeaseReadEnabled;
    private final long leaseClockDriftNs;
    private final int maxPendingReads;

    private RaftConfig(final Builder builder)
    {
        memberId = builder.memberId;
        memberIds = builder.memberIds.clone();
        electionTimeoutMinNs = builder.electionTimeoutMinNs;
        electionTimeoutMaxNs = builder.electionTimeoutMaxNs;
        heartbeatIntervalNs = builder.heartbeatIntervalNs;
        maxEntriesPerBatch = builder.maxEntriesPerBatch;
        maxInflightBatches = builder.maxInflightBatches;
        maxAppliesPerCycle = builder.maxAppliesPerCycle;
        maxEntryLength = builder.maxEntryLength;
        isPreVoteEnabled = builder.isPreVoteEnabled;
        isCheckQuorumEnabled = builder.isCheckQuorumEnabled;
        appendsLeaderNoop = builder.appendsLeaderNoop;
        snapshotIntervalEntries = builder.snapshotIntervalEntries;
        snapshotIntervalBytes = builder.snapshotIntervalBytes;
        compactionRetainEntries = builder.compactionRetainEntries;
        snapshotChunkLength = builder.snapshotChunkLength;
        maxInflightSnapshotChunks = builder.maxInflightSnapshotChunks;
        isLeaseReadEnabled = builder.isLeaseReadEnabled;
        leaseClockDriftNs = builder.leaseClockDriftNs;
        maxPendingReads = builder.maxPendingReads;
    }

    /**
     * @return a builder with the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder initialised from this config.
     */
    public Builder toBuilder()
    {
        return new Builder()
            .memberId(memberId)
            .memberIds(memberIds)
            .electionTimeoutNs(electionTimeoutMinNs, electionTimeoutMaxNs)
            .heartbeatIntervalNs(heartbeatIntervalNs)
            .maxEntriesPerBatch(maxEntriesPerBatch)
            .maxInflightBatches(maxInflightBatches)
            .maxAppliesPerCycle(maxAppliesPerCycle)
            .maxEntryLength(maxEntryLength)
            .preVote(isPreVoteEnabled)
            .checkQuorum(isCheckQuorumEnabled)
            .appendLeaderNoop(appendsLeaderNoop)
            .snapshotIntervalEntries(snapshotIntervalEntries)
            .snapshotIntervalBytes(snapshotIntervalBytes)
            .compactionRetainEntries(compactionRetainEntries)
            .snapshotChunkLength(snapshotChunkLength)
            .maxInflightSnapshotChunks(maxInflightSnapshotChunks)
            .leaseReads(isLeaseReadEnabled)
            .leaseClockDriftNs(leaseClockDriftNs)
            .maxPendingReads(maxPendingReads);
    }

    /**
     * @return the id of this member.
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * @return a copy of the ids of all voting members, this one included.
     */
    public int[] memberIds()
    {
        return memberIds.clone();
    }

    /**
     * @param position in {@link #memberIds()}.
     * @return the id of the member at that position.
     */
    public int memberIdAt(final int position)
    {
        return memberIds[position];
    }

    /**
     * @return the number of voting members.
     */
    public int memberCount()
    {
        return memberIds.length;
    }

    /**
     * @param id of a member.
     * @return its position in {@link #memberIds()}, or -1 if it is not a member.
     */
    public int positionOf(final int id)
    {
        for (int i = 0; i < memberIds.length; i++)
        {
            if (memberIds[i] == id)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the shortest election timeout; also how long a follower trusts a leader it heard from (pre-vote
     * lease).
     */
    public long electionTimeoutMinNs()
    {
        return electionTimeoutMinNs;
    }

    /**
     * @return the longest election timeout (exclusive); timeouts are drawn uniformly in between.
     */
    public long electionTimeoutMaxNs()
    {
        return electionTimeoutMaxNs;
    }

    /**
     * @return how long a leader lets a follower go without a message.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * @return most entries in one AppendEntries.
     */
    public int maxEntriesPerBatch()
    {
        return maxEntriesPerBatch;
    }

    /**
     * @return most AppendEntries batches sent to one follower and not yet acknowledged.
     */
    public int maxInflightBatches()
    {
        return maxInflightBatches;
    }

    /**
     * @return most entries applied in one duty cycle.
     */
    public int maxAppliesPerCycle()
    {
        return maxAppliesPerCycle;
    }

    /**
     * @return the largest payload a proposal may carry.
     */
    public int maxEntryLength()
    {
        return maxEntryLength;
    }

    /**
     * @return whether a member runs a pre-vote before it starts an election.
     */
    public boolean isPreVoteEnabled()
    {
        return isPreVoteEnabled;
    }

    /**
     * @return whether a leader steps down when it has not heard from a majority for an election timeout.
     */
    public boolean isCheckQuorumEnabled()
    {
        return isCheckQuorumEnabled;
    }

    /**
     * @return whether a new leader appends an empty entry so that earlier entries commit without waiting for a
     * proposal.
     */
    public boolean appendsLeaderNoop()
    {
        return appendsLeaderNoop;
    }

    /**
     * @return whether the leader answers lease reads from its state while its lease holds (off by default; see
     * {@link ReadTracker}).
     */
    public boolean isLeaseReadEnabled()
    {
        return isLeaseReadEnabled;
    }

    /**
     * @return how much shorter than the minimum election timeout a leader's lease is: the bound on how far two
     * members' clocks may drift apart over one minimum election timeout.
     */
    public long leaseClockDriftNs()
    {
        return leaseClockDriftNs;
    }

    /**
     * @return the most reads of each kind waiting in the core at once (a power of two); beyond that a read is refused.
     */
    public int maxPendingReads()
    {
        return maxPendingReads;
    }

    /**
     * @return entries applied after the last snapshot that trigger the next one; 0 disables snapshots.
     */
    public long snapshotIntervalEntries()
    {
        return snapshotIntervalEntries;
    }

    /**
     * @return payload bytes applied after the last snapshot that trigger the next one; 0 disables the trigger.
     */
    public long snapshotIntervalBytes()
    {
        return snapshotIntervalBytes;
    }

    /**
     * @return entries kept in the log below a snapshot, so that followers slightly behind need no snapshot.
     */
    public long compactionRetainEntries()
    {
        return compactionRetainEntries;
    }

    /**
     * @return bytes of snapshot per InstallSnapshot message.
     */
    public int snapshotChunkLength()
    {
        return snapshotChunkLength;
    }

    /**
     * @return snapshot chunks sent to one follower and not yet acknowledged.
     */
    public int maxInflightSnapshotChunks()
    {
        return maxInflightSnapshotChunks;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "RaftConfig{" +
            "memberId=" + memberId +
            ", memberIds=" + Arrays.toString(memberIds) +
            ", electionTimeoutMinNs=" + electionTimeoutMinNs +
            ", electionTimeoutMaxNs=" + electionTimeoutMaxNs +
            ", heartbeatIntervalNs=" + heartbeatIntervalNs +
            ", maxEntriesPerBatch=" + maxEntriesPerBatch +
            ", maxInflightBatches=" + maxInflightBatches +
            ", maxAppliesPerCycle=" + maxAppliesPerCycle +
            ", maxEntryLength=" + maxEntryLength +
            ", preVote=" + isPreVoteEnabled +
            ", checkQuorum=" + isCheckQuorumEnabled +
            ", leaderNoop=" + appendsLeaderNoop +
            ", leaseReads=" + isLeaseReadEnabled +
            ", leaseClockDriftNs=" + leaseClockDriftNs +
            ", maxPendingReads=" + maxPendingReads +
            ", snapshotIntervalEntries=" + snapshotIntervalEntries +
            ", snapshotIntervalBytes=" + snapshotIntervalBytes +
            ", compactionRetainEntries=" + compactionRetainEntries +
            ", snapshotChunkLength=" + snapshotChunkLength +
            ", maxInflightSnapshotChunks=" + maxInflightSnapshotChunks +
            '}';
    }

    /**
     * Builds a {@link RaftConfig}. Defaults suit a low-latency cluster on one host.
     */
    public static final class Builder
    {
        private int memberId = -1;
        private int[] memberIds = new int[0];
        private long electionTimeoutMinNs = ELECTION_TIMEOUT_MIN_DEFAULT_NS;
        private long electionTimeoutMaxNs = ELECTION_TIMEOUT_MAX_DEFAULT_NS;
        private long heartbeatIntervalNs = HEARTBEAT_INTERVAL_DEFAULT_NS;
        private int maxEntriesPerBatch = MAX_ENTRIES_PER_BATCH_DEFAULT;
        private int maxInflightBatches = MAX_INFLIGHT_BATCHES_DEFAULT;
        private int maxAppliesPerCycle = MAX_APPLIES_PER_CYCLE_DEFAULT;
        private int maxEntryLength = MAX_ENTRY_LENGTH_DEFAULT;
        private boolean isPreVoteEnabled = PRE_VOTE_DEFAULT;
        private boolean isCheckQuorumEnabled = CHECK_QUORUM_DEFAULT;
        private boolean appendsLeaderNoop = true;
        private long snapshotIntervalEntries;
        private long snapshotIntervalBytes;
        private long compactionRetainEntries;
        private int snapshotChunkLength = SNAPSHOT_CHUNK_LENGTH_DEFAULT;
        private int maxInflightSnapshotChunks = MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT;
        private boolean isLeaseReadEnabled;
        private long leaseClockDriftNs = LEASE_CLOCK_DRIFT_DEFAULT_NS;
        private int maxPendingReads = MAX_PENDING_READS_DEFAULT;

        private Builder()
        {
        }

        /**
         * @return an independent builder with the same values, so that copies of a context do not share one.
         */
        public Builder copy()
        {
            final Builder copy = new Builder();
            copy.memberId = memberId;
            copy.memberIds = memberIds.clone();
            copy.electionTimeoutMinNs = electionTimeoutMinNs;
            copy.electionTimeoutMaxNs = electionTimeoutMaxNs;
            copy.heartbeatIntervalNs = heartbeatIntervalNs;
            copy.maxEntriesPerBatch = maxEntriesPerBatch;
            copy.maxInflightBatches = maxInflightBatches;
            copy.maxAppliesPerCycle = maxAppliesPerCycle;
            copy.maxEntryLength = maxEntryLength;
            copy.isPreVoteEnabled = isPreVoteEnabled;
            copy.isCheckQuorumEnabled = isCheckQuorumEnabled;
            copy.appendsLeaderNoop = appendsLeaderNoop;
            copy.isLeaseReadEnabled = isLeaseReadEnabled;
            copy.leaseClockDriftNs = leaseClockDriftNs;
            copy.maxPendingReads = maxPendingReads;
            copy.snapshotIntervalEntries = snapshotIntervalEntries;
            copy.snapshotIntervalBytes = snapshotIntervalBytes;
            copy.compactionRetainEntries = compactionRetainEntries;
            copy.snapshotChunkLength = snapshotChunkLength;
            copy.maxInflightSnapshotChunks = maxInflightSnapshotChunks;
            return copy;
        }

        /**
         * @param memberId of this member.
         * @return this for a fluent API.
         */
        public Builder memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        /**
         * @param memberIds of all voting members, this one included; non-negative and distinct.
         * @return this for a fluent API.
         */
        public Builder memberIds(final int... memberIds)
        {
            this.memberIds = memberIds.clone();
            return this;
        }

        /**
         * @param minNs shortest election timeout.
         * @param maxNs longest election timeout (exclusive).
         * @return this for a fluent API.
         */
        public Builder electionTimeoutNs(final long minNs, final long maxNs)
        {
            this.electionTimeoutMinNs = minNs;
            this.electionTimeoutMaxNs = maxNs;
            return this;
        }

        /**
         * @param heartbeatIntervalNs how long a leader lets a follower go without a message.
         * @return this for a fluent API.
         */
        public Builder heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        /**
         * @param maxEntriesPerBatch most entries in one AppendEntries.
         * @return this for a fluent API.
         */
        public Builder maxEntriesPerBatch(final int maxEntriesPerBatch)
        {
            this.maxEntriesPerBatch = maxEntriesPerBatch;
            return this;
        }

        /**
         * @param maxInflightBatches most unacknowledged batches per follower.
         * @return this for a fluent API.
         */
        public Builder maxInflightBatches(final int maxInflightBatches)
        {
            this.maxInflightBatches = maxInflightBatches;
            return this;
        }

        /**
         * @param maxAppliesPerCycle most entries applied per duty cycle.
         * @return this for a fluent API.
         */
        public Builder maxAppliesPerCycle(final int maxAppliesPerCycle)
        {
            this.maxAppliesPerCycle = maxAppliesPerCycle;
            return this;
        }

        /**
         * @param maxEntryLength largest payload a proposal may carry.
         * @return this for a fluent API.
         */
        public Builder maxEntryLength(final int maxEntryLength)
        {
            this.maxEntryLength = maxEntryLength;
            return this;
        }

        /**
         * @param enabled whether to run a pre-vote before an election.
         * @return this for a fluent API.
         */
        public Builder preVote(final boolean enabled)
        {
            this.isPreVoteEnabled = enabled;
            return this;
        }

        /**
         * @param enabled whether a leader steps down without a majority's contact.
         * @return this for a fluent API.
         */
        public Builder checkQuorum(final boolean enabled)
        {
            this.isCheckQuorumEnabled = enabled;
            return this;
        }

        /**
         * @param enabled whether a new leader appends an empty entry.
         * @return this for a fluent API.
         */
        public Builder appendLeaderNoop(final boolean enabled)
        {
            this.appendsLeaderNoop = enabled;
            return this;
        }

        /**
         * @param entries applied since the last snapshot that trigger the next; 0 disables snapshots.
         * @return this for a fluent API.
         */
        public Builder snapshotIntervalEntries(final long entries)
        {
            this.snapshotIntervalEntries = entries;
            return this;
        }

        /**
         * @param bytes of payload applied since the last snapshot that trigger the next; 0 disables this trigger.
         * @return this for a fluent API.
         */
        public Builder snapshotIntervalBytes(final long bytes)
        {
            this.snapshotIntervalBytes = bytes;
            return this;
        }

        /**
         * @param entries kept below a snapshot when the log is compacted.
         * @return this for a fluent API.
         */
        public Builder compactionRetainEntries(final long entries)
        {
            this.compactionRetainEntries = entries;
            return this;
        }

        /**
         * @param length bytes of snapshot per InstallSnapshot message.
         * @return this for a fluent API.
         */
        public Builder snapshotChunkLength(final int length)
        {
            this.snapshotChunkLength = length;
            return this;
        }

        /**
         * @param chunks snapshot chunks in flight per follower.
         * @return this for a fluent API.
         */
        public Builder maxInflightSnapshotChunks(final int chunks)
        {
            this.maxInflightSnapshotChunks = chunks;
            return this;
        }

        /**
         * @param enabled whether the leader answers lease reads from its state while its lease holds; needs
         *                pre-vote (the followers' leader stickiness is what the lease rests on).
         * @return this for a fluent API.
         */
        public Builder leaseReads(final boolean enabled)
        {
            this.isLeaseReadEnabled = enabled;
            return this;
        }

        /**
         * @param driftNs how much shorter than the minimum election timeout the leader's lease is.
         * @return this for a fluent API.
         */
        public Builder leaseClockDriftNs(final long driftNs)
        {
            this.leaseClockDriftNs = driftNs;
            return this;
        }

        /**
         * @param reads most reads of each kind waiting in the core; rounded up to a power of two.
         * @return this for a fluent API.
         */
        public Builder maxPendingReads(final int reads)
        {
            this.maxPendingReads = reads;
            return this;
        }

        /**
         * Validate and build.
         *
         * @return the config.
         * @throws IllegalArgumentException naming the values that do not fit together.
         */
        public RaftConfig build()
        {
            if (0 == memberIds.length)
            {
                throw new IllegalArgumentException("memberIds must name at least one member");
            }
            for (int i = 0; i < memberIds.length; i++)
            {
                if (memberIds[i] < 0)
                {
                    throw new IllegalArgumentException("member id must be >= 0: memberIds=" +
                        Arrays.toString(memberIds));
                }
                for (int j = i + 1; j < memberIds.length; j++)
                {
                    if (memberIds[i] == memberIds[j])
                    {
                        throw new IllegalArgumentException("duplicate member id " + memberIds[i] + " in memberIds=" +
                            Arrays.toString(memberIds));
                    }
                }
            }
            boolean isMember = false;
            for (final int id : memberIds)
            {
                isMember |= id == memberId;
            }
            if (!isMember)
            {
                throw new IllegalArgumentException("memberId=" + memberId + " is not in memberIds=" +
                    Arrays.toString(memberIds));
            }
            if (heartbeatIntervalNs <= 0)
            {
                throw new IllegalArgumentException("heartbeatIntervalNs=" + heartbeatIntervalNs + " must be > 0");
            }
            if (electionTimeoutMinNs <= heartbeatIntervalNs)
            {
                throw new IllegalArgumentException("electionTimeoutMinNs=" + electionTimeoutMinNs +
                    " must be > heartbeatIntervalNs=" + heartbeatIntervalNs);
            }
            if (electionTimeoutMaxNs <= electionTimeoutMinNs)
            {
                throw new IllegalArgumentException("electionTimeoutMaxNs=" + electionTimeoutMaxNs +
                    " must be > electionTimeoutMinNs=" + electionTimeoutMinNs);
            }
            if (isLeaseReadEnabled && !isPreVoteEnabled)
            {
                throw new IllegalArgumentException("leaseReads=true needs preVote=true: the lease rests on the " +
                    "followers' leader stickiness");
            }
            if (isLeaseReadEnabled && (leaseClockDriftNs < 0 || leaseClockDriftNs >= electionTimeoutMinNs))
            {
                throw new IllegalArgumentException("leaseClockDriftNs=" + leaseClockDriftNs +
                    " must be >= 0 and < electionTimeoutMinNs=" + electionTimeoutMinNs);
            }
            atLeast("maxPendingReads", maxPendingReads, 1);
            if (maxPendingReads > 1 << 20)
            {
                throw new IllegalArgumentException("maxPendingReads=" + maxPendingReads + " must be <= " + (1 << 20));
            }
            maxPendingReads = 1 == maxPendingReads ? 1 : Integer.highestOneBit(maxPendingReads - 1) << 1;
            atLeast("maxEntriesPerBatch", maxEntriesPerBatch, 1);
            atLeast("maxInflightBatches", maxInflightBatches, 1);
            atLeast("maxAppliesPerCycle", maxAppliesPerCycle, 1);
            atLeast("maxEntryLength", maxEntryLength, 0);
            atLeast("snapshotIntervalEntries", snapshotIntervalEntries, 0);
            atLeast("snapshotIntervalBytes", snapshotIntervalBytes, 0);
            atLeast("compactionRetainEntries", compactionRetainEntries, 0);
            atLeast("snapshotChunkLength", snapshotChunkLength, 1);
            atLeast("maxInflightSnapshotChunks", maxInflightSnapshotChunks, 1);
            return new RaftConfig(this);
        }

        private static void atLeast(final String name, final long value, final long min)
        {
            if (value < min)
            {
                throw new IllegalArgumentException(name + "=" + value + " must be >= " + min);
            }
        }
    }
}
