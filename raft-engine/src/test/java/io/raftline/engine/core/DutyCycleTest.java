package io.raftline.engine.core;

import io.raftline.engine.core.RecordingOutbox.VoteRequest;
import io.raftline.engine.core.RecordingOutbox.VoteResponse;
import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.raftline.engine.core.CoreHarness.ELECTION_MAX_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one duty cycle and the one lane decision: what promises durable state leaves only after the sync; what
 * does not leaves before it; a member that dies inside the sync sends nothing that waited for it.
 */
class DutyCycleTest
{
    private final InMemoryRaftLog log = new InMemoryRaftLog();
    private final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
    private final RecordingOutbox transport = new RecordingOutbox(log, metadata);
    private final DeferredOutbox lanes = new DeferredOutbox(transport);
    private final List<String> events = new ArrayList<>();
    private final RaftNode node = new RaftNode(CoreHarness.config(1, 1, 2, 3).build(), log, metadata,
        new InMemorySnapshotStore(), lanes, (index, term, buffer, offset, length) -> {}, new SplittableRandom(7),
        RaftEventListener.NO_OP, 0);
    private Runnable input = () -> {};
    private boolean isCrashInSync;

    private final DutyCycle cycle = new DutyCycle(
        node,
        (nowNs) ->
        {
            input.run();
            input = () -> {};
            return 1;
        },
        () ->
        {
            events.add("sync with " + transport.drain().size() + " sent before");
            if (isCrashInSync)
            {
                return false;
            }
            log.sync();
            metadata.sync();
            return true;
        },
        () -> 0,
        lanes);

    @Test
    void voteIsSentOnlyAfterTheSyncOfTheVote()
    {
        input = () -> node.onRequestVote(2, 1, 0, 0, false, 5, 0);
        cycle.run(0);
        assertEquals(List.of("sync with 0 sent before"), events, "nothing left before the sync");
        final List<VoteResponse> responses = transport.drain(VoteResponse.class);
        assertEquals(1, responses.size());
        assertTrue(responses.get(0).granted());
        assertEquals(5, responses.get(0).round(), "the round is echoed");
        assertFalse(node.isPersistPending());
    }

    @Test
    void preVoteRequestsLeaveAtOnceAndVoteRequestsAfterTheSync()
    {
        cycle.run(ELECTION_MAX_NS);
        assertEquals(RaftRole.PRE_CANDIDATE, node.role());
        assertTrue(events.isEmpty(), "a pre-vote changes no durable state: no sync");
        final List<VoteRequest> preVotes = transport.drain(VoteRequest.class);
        assertEquals(2, preVotes.size());
        assertTrue(preVotes.get(0).preVote());

        input = () -> node.onRequestVoteResponse(2, 0, 1, true, true, preVotes.get(0).round(), ELECTION_MAX_NS);
        cycle.run(ELECTION_MAX_NS);
        assertEquals(RaftRole.CANDIDATE, node.role());
        assertEquals(List.of("sync with 0 sent before"), events, "the vote requests waited for the term and vote");
        final List<VoteRequest> votes = transport.drain(VoteRequest.class);
        assertEquals(2, votes.size());
        assertFalse(votes.get(0).preVote());
        assertEquals(1, votes.get(0).storedTermAtSend());
    }

    @Test
    void memberThatDiesInsideTheSyncSendsNothingThatWaitedForIt()
    {
        isCrashInSync = true;
        input = () -> node.onRequestVote(2, 1, 0, 0, false, 5, 0);
        cycle.run(0);
        assertTrue(transport.drain().isEmpty());
        assertTrue(node.isPersistPending(), "the core was not told of a sync that did not happen");
        assertTrue(lanes.hasHeld());
    }

    @Test
    void refusedVoteRequestIsHeldUntilANewerOneReplacesIt()
    {
        final RecordingOutbox backPressured = new RecordingOutbox(log, metadata);
        final DeferredOutbox refusing = new DeferredOutbox(backPressured);
        backPressured.backPressured(true);
        assertTrue(refusing.requestVote(2, 1, 0, 0, false, 1), "held, so sent as far as the core knows");
        assertEquals(0, refusing.release());
        assertEquals(1, refusing.heldCount());
        assertTrue(refusing.requestVote(2, 2, 0, 0, false, 2));
        assertTrue(refusing.requestVote(3, 2, 0, 0, false, 2));
        assertEquals(0, refusing.release());
        assertEquals(2, refusing.heldCount(), "the newer request to member 2 replaced the older");

        backPressured.backPressured(false);
        assertEquals(2, refusing.release());
        final List<VoteRequest> sent = backPressured.drain(VoteRequest.class);
        assertEquals(List.of(2L, 2L), sent.stream().map(VoteRequest::term).toList());
        assertFalse(refusing.hasHeld());
    }
}
