package io.raftline.engine.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reads settings: leases are off by default, need pre-vote and a drift bound below the minimum election timeout;
 * the pending reads are rounded up to a power of two.
 */
class RaftConfigReadsTest
{
    private static RaftConfig.Builder builder()
    {
        return RaftConfig.builder().memberId(0).memberIds(0, 1, 2);
    }

    @Test
    void leasesAreOffByDefault()
    {
        final RaftConfig config = builder().build();
        assertFalse(config.isLeaseReadEnabled());
        assertEquals(RaftConfig.LEASE_CLOCK_DRIFT_DEFAULT_NS, config.leaseClockDriftNs());
        assertEquals(RaftConfig.MAX_PENDING_READS_DEFAULT, config.maxPendingReads());
        assertTrue(builder().leaseReads(true).build().toBuilder().build().isLeaseReadEnabled());
    }

    @Test
    void leasesNeedPreVote()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> builder().leaseReads(true).preVote(false).build());
        assertTrue(ex.getMessage().contains("leaseReads=true needs preVote=true"), ex.getMessage());
    }

    @Test
    void theDriftBoundMustBeShorterThanTheMinimumElectionTimeout()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> builder()
            .electionTimeoutNs(100_000_000L, 200_000_000L).leaseReads(true).leaseClockDriftNs(100_000_000L).build());
        assertTrue(ex.getMessage().contains("leaseClockDriftNs=100000000 must be >= 0 and < electionTimeoutMinNs=" +
            "100000000"), ex.getMessage());
    }

    @Test
    void pendingReadsAreRoundedUpToAPowerOfTwo()
    {
        assertEquals(8, builder().maxPendingReads(5).build().maxPendingReads());
        assertEquals(1, builder().maxPendingReads(1).build().maxPendingReads());
        assertThrows(IllegalArgumentException.class, () -> builder().maxPendingReads(0).build());
    }
}
