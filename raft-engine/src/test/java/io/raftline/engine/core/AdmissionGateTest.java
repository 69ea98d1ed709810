package io.raftline.engine.core;

import io.raftline.engine.core.RecordingOutbox.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one admission gate: sender, then the term rule of §5.1, with PreVote's exceptions (thesis §9.6, as etcd's
 * {@code Step} applies them).
 */
class AdmissionGateTest
{
    @Test
    void refusedPreVoteWithHigherTermIsATermToJoin()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role());
        assertTrue(h.node.onRequestVoteResponse(2, 5, 1, false, true, h.nowNs));
        assertEquals(RaftRole.FOLLOWER, h.node.role());
        assertEquals(5, h.node.currentTerm());
    }

    @Test
    void grantedPreVoteNeverMovesTheTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.timeOut();
        // A voter grants only a term above its own, so this grant is impossible: it must not move the term.
        h.node.onRequestVoteResponse(2, 5, 1, true, true, h.nowNs);
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role());
        assertEquals(0, h.node.currentTerm());
    }

    @Test
    void preVoteAnswerFromALowerTermIsNotStale()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.node.onAppendEntries(2, 3, 0, 0, 0, ArrayEntryBatch.empty(), h.nowNs);
        h.timeOut();
        assertEquals(RaftRole.PRE_CANDIDATE, h.node.role());
        // The voter is still in term 2: its grant for term 4 counts.
        h.node.onRequestVoteResponse(3, 2, 4, true, true, h.nowNs);
        assertEquals(RaftRole.CANDIDATE, h.node.role());
        assertEquals(4, h.node.currentTerm());
    }

    @Test
    void staleVoteRequestIsRefusedWithTheCurrentTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.node.onAppendEntries(2, 3, 0, 0, 0, ArrayEntryBatch.empty(), h.nowNs);
        h.outbox.drain();
        h.node.onRequestVote(3, 2, 10, 2, false, h.nowNs);
        final List<VoteResponse> responses = h.outbox.drain(VoteResponse.class);
        assertEquals(1, responses.size());
        assertFalse(responses.get(0).granted());
        assertEquals(3, responses.get(0).term());
        assertEquals(2, h.node.leaderId(), "a stale candidate does not unseat the leader");
    }

    @Test
    void higherTermAnswerStepsTheLeaderDownWithoutNamingALeader()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        h.node.onInstallSnapshotResponse(
            2, h.node.currentTerm() + 1, 0, 0, RaftNode.SNAPSHOT_ACCEPTED, Outbox.UNTAGGED_TRANSFER, h.nowNs);
        assertEquals(RaftRole.FOLLOWER, h.node.role());
        assertEquals(RaftNode.NO_MEMBER, h.node.leaderId());
    }

    @Test
    void unknownSenderIsCountedOnceAndReported()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        assertFalse(h.node.onTimeoutNow(7, 9, h.nowNs));
        assertFalse(h.node.onRequestVoteResponse(1, 9, 9, false, false, h.nowNs));
        assertEquals(2, h.node.rejectedMessageCount());
        assertEquals(0, h.node.currentTerm());
    }

    /**
     * A member's term only grows, so one stray frame with an absurd term (a corrupted or forged frame from a known id
     * while no leader is known) would ruin it for good: its next campaign's term + 1 overflows. Such a term is refused
     * and counted; the member stays in its term.
     */
    @Test
    void anImplausibleTermIsRefusedAndCounted()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        assertFalse(h.node.onAppendEntries(2, Long.MAX_VALUE, 0, 0, 0, ArrayEntryBatch.empty(), h.nowNs));
        assertFalse(h.node.onRequestVote(3, AdmissionGate.MAX_TERM + 1, 0, 0, false, h.nowNs));
        assertFalse(h.node.onTimeoutNow(2, -1, h.nowNs));
        assertEquals(3, h.node.rejectedMessageCount());
        assertEquals(0, h.node.currentTerm());
        assertEquals(RaftNode.NO_MEMBER, h.node.leaderId());

        h.node.onAppendEntries(2, AdmissionGate.MAX_TERM, 0, 0, 0, ArrayEntryBatch.empty(), h.nowNs);
        assertEquals(AdmissionGate.MAX_TERM, h.node.currentTerm(), "the highest plausible term is a term");
    }
}
