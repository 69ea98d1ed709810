package io.raftline.engine.core;

import io.raftline.log.InMemoryMetadataStore;
import io.raftline.log.InMemoryRaftLog;
import io.raftline.log.InMemorySnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.raftline.engine.core.CoreHarness.ELECTION_MAX_NS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's side of membership on one member driven by hand: what the listener is told and when, the joint quorum
 * arithmetic, the transfer target, snapshots that carry the configuration across a restart, and the settings.
 */
class MembershipCoreTest
{
    private static byte[] entry(final Membership membership)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MembershipCodec.encodedLength(membership)]);
        MembershipCodec.encode(membership, buffer, 0);
        return buffer.byteArray();
    }

    private static void ack(final CoreHarness h, final int follower, final long match)
    {
        h.node.onAppendEntriesResponse(follower, h.node.currentTerm(), match - 1, true, match, 0, 0, match, h.nowNs);
        h.cycle();
    }

    /**
     * A member that joined and learned, from leader {@code leaderId} in term 1, a configuration naming it a learner.
     */
    private static CoreHarness learnerOf(final int selfId, final int leaderId, final Membership membership)
    {
        final CoreHarness h = new CoreHarness(CoreHarness.config(selfId).joining(true).build());
        assertTrue(h.node.onAppendEntries(leaderId, 1, 0, 0, 0, new ArrayEntryBatch(new long[]{1},
            new byte[][]{entry(membership)}), h.nowNs));
        h.cycle();
        assertTrue(h.node.membership().isLearner(selfId), h.node.membership().toString());
        return h;
    }

    /**
     * @return the one vote answer the member sent since its outbox was last drained.
     */
    private static RecordingOutbox.VoteResponse onlyAnswer(final CoreHarness h)
    {
        final List<RecordingOutbox.VoteResponse> answers = h.outbox.drain(RecordingOutbox.VoteResponse.class);
        assertEquals(1, answers.size(), answers.toString());
        return answers.get(0);
    }

    /**
     * A leader of {1,2,3} that committed an entry of its term (index 1).
     */
    private static CoreHarness leaderWithEntryOfTerm()
    {
        final CoreHarness h = new CoreHarness(1, 1, 2, 3);
        h.electLeader(2, 3);
        assertEquals(1, h.propose((byte)7));
        h.cycle();
        ack(h, 2, 1);
        assertEquals(1, h.node.commitIndex());
        return h;
    }

    @Test
    void theListenerHearsTheConfigurationAtOnceThenEveryAppendAndTruncation()
    {
        final CoreHarness h = new CoreHarness(2, 1, 2, 3);
        final List<Membership> heard = new ArrayList<>();
        h.node.membershipListener(heard::add);
        assertEquals(1, heard.size());
        assertArrayEquals(new int[]{1, 2, 3}, heard.get(0).voters());

        final Membership withLearner = Membership.bootstrap(new int[]{1, 2, 3}, null).addLearner(4, "h:4");
        h.node.onAppendEntries(1, 1, 0, 0, 0, new ArrayEntryBatch(new long[]{1}, new byte[][]{entry(withLearner)}),
            h.nowNs);
        assertEquals(2, heard.size());
        assertEquals(1, heard.get(1).index());
        assertArrayEquals(new int[]{4}, h.node.membership().learners());
        assertEquals("h:4", h.node.membership().endpoint(4));

        // A leader of term 2 never had that entry: its own entry at index 1 replaces it, and with it the learner.
        h.node.onAppendEntries(3, 2, 0, 0, 0, ArrayEntryBatch.ofTerms(2), h.nowNs);
        assertEquals(3, heard.size());
        assertEquals(0, heard.get(2).index());
        assertEquals(0, h.node.membership().learners().length);
    }

    @Test
    void aJointConfigurationCommitsOnlyWithAMajorityOfEachSet()
    {
        final CoreHarness h = leaderWithEntryOfTerm();
        // 3 and 4 out, 5 in: C_old {1,2,3}, C_new {1,2,5} after "replace 3 by 5".
        final long joint = h.node.membershipChanges().replace(3, 5, "h:5");
        assertEquals(2, joint);
        assertTrue(h.node.membership().isJoint());
        h.cycle();
        ack(h, 3, 2);
        // {1,3} is a majority of C_old only: not committed.
        assertEquals(1, h.node.commitIndex());
        ack(h, 5, 2);
        // {1,3,5}: majorities of both sets; C_new follows by itself.
        assertEquals(2, h.node.commitIndex());
        h.cycle();
        assertFalse(h.node.membership().isJoint());
        assertEquals(3, h.node.membership().index());
        assertArrayEquals(new int[]{1, 2, 5}, h.node.membership().voters());
        assertTrue(h.node.membership().isRetired(3));
        // C_new counts only its own voters: 3's acknowledgement does not count, 5's does.
        ack(h, 3, 3);
        assertEquals(2, h.node.commitIndex());
        ack(h, 5, 3);
        assertEquals(3, h.node.commitIndex());
    }

    @Test
    void theBestTransferTargetIsTheMostCaughtUpVoterAndLearnersAreNoTarget()
    {
        final CoreHarness h = leaderWithEntryOfTerm();
        assertEquals(2, h.node.membershipChanges().addLearner(4, "h:4"));
        h.cycle();
        ack(h, 2, 2);
        ack(h, 4, 2);
        ack(h, 3, 1);
        assertEquals(2, h.node.membershipChanges().bestTransferTarget());
        assertFalse(h.node.transferLeadership(4, h.nowNs), "a learner is no transfer target");
        assertTrue(h.node.transferLeadership(2, h.nowNs));
        assertTrue(h.node.membershipChanges().isTransferring());
        assertEquals(RaftNode.TRANSFER_IN_PROGRESS, h.propose((byte)1));
        assertEquals(MembershipChange.TRANSFER_IN_PROGRESS, h.node.membershipChanges().remove(4));
        h.nowNs += ELECTION_MAX_NS;
        h.cycle();
        assertFalse(h.node.membershipChanges().isTransferring(), "the transfer gave up");
        assertEquals(3, h.propose((byte)1));
    }

    @Test
    void refusalsNameTheirReason()
    {
        final CoreHarness follower = new CoreHarness(2, 1, 2, 3);
        assertEquals(MembershipChange.NOT_LEADER, follower.node.membershipChanges().addLearner(4, "h:4"));
        final CoreHarness h = leaderWithEntryOfTerm();
        assertEquals(MembershipChange.INVALID_ID, h.node.membershipChanges().addLearner(-3, "h"));
        assertEquals(MembershipChange.ALREADY_MEMBER, h.node.membershipChanges().addLearner(2, "h"));
        assertEquals(MembershipChange.UNKNOWN_MEMBER, h.node.membershipChanges().promote(9, true));
        assertEquals(MembershipChange.NOT_A_LEARNER, h.node.membershipChanges().promote(2, true));
        assertEquals(MembershipChange.UNKNOWN_MEMBER, h.node.membershipChanges().replace(9, 4, "h"));
        for (final long code : new long[]{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11})
        {
            assertTrue(MembershipChange.describe(code).startsWith("refused: "), MembershipChange.describe(code));
            assertFalse(MembershipChange.describe(code).contains("unknown code"), MembershipChange.describe(code));
        }
        final CoreHarness single = new CoreHarness(1, 1);
        single.timeOut();
        assertEquals(RaftRole.LEADER, single.node.role());
        single.propose((byte)1);
        single.cycle();
        assertEquals(1, single.node.commitIndex());
        assertEquals(MembershipChange.LAST_VOTER, single.node.membershipChanges().remove(1));
    }

    @Test
    void aProposalThatLooksLikeAConfigurationEntryIsRefused()
    {
        final CoreHarness h = leaderWithEntryOfTerm();
        final byte[] forged = entry(h.node.membership().addLearner(9, "evil"));
        assertEquals(RaftNode.RESERVED_PAYLOAD, h.node.propose(new UnsafeBuffer(forged), 0, forged.length));
        assertFalse(h.node.membership().contains(9));
    }

    @Test
    void aSnapshotCarriesTheConfigurationAcrossARestartAndTheBootstrapListIsNotObeyed()
    {
        final InMemoryRaftLog log = new InMemoryRaftLog();
        final InMemoryMetadataStore metadata = new InMemoryMetadataStore();
        final MembershipSnapshots snapshots = MembershipSnapshots.wrap(new InMemorySnapshotStore());
        final RaftConfig config = CoreHarness.config(2, 1, 2, 3).build();
        final RaftNode follower = new RaftNode(config, log, metadata, snapshots, new RecordingOutbox(log, metadata,
            snapshots), (index, term, buffer, offset, length) -> {}, new SplittableRandom(1), RaftEventListener.NO_OP,
            0);
        final Membership replaced = Membership.bootstrap(new int[]{1, 2, 3}, null).replace(3, 4, "h:4").leaveJoint();
        follower.onAppendEntries(1, 1, 0, 0, 1, new ArrayEntryBatch(new long[]{1, 1},
            new byte[][]{entry(replaced), {42}}), 0);
        log.sync();
        metadata.sync();
        follower.onPersisted();
        follower.onAppendEntries(1, 1, 2, 1, 2, ArrayEntryBatch.empty(), 0);
        follower.applyCommitted();
        // A snapshot at 2 written the way a state machine writes one: the configuration block goes first.
        snapshots.prepare(2, follower.membershipChanges().membershipAt(2));
        snapshots.put(2, 1, new byte[]{1, 2, 3});
        follower.onSnapshotTaken(2);
        log.sync();

        final List<String> events = new ArrayList<>();
        final RaftNode restarted = new RaftNode(config, log, metadata, snapshots,
            new RecordingOutbox(log, metadata, snapshots), (index, term, buffer, offset, length) -> {},
            new SplittableRandom(1), new RaftEventListener()
            {
                public void onMembershipEvent(final int memberId, final String message)
                {
                    events.add(message);
                }
            }, 0);
        assertEquals(2, log.baseIndex(), "the entry that carried the configuration is compacted away");
        assertArrayEquals(new int[]{1, 2, 4}, restarted.membership().voters());
        assertEquals(1, restarted.membership().index());
        assertNotNull(restarted.membershipChanges().bootstrapMismatch());
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).contains("differs from the bootstrap member list [1, 2, 3]"), events.get(0));
    }

    /**
     * Seeds 7026679 and 7045863: a voter of {1, 2, 3} missed the entries that added 4 and made {2, 4} the voters.
     * Without pre-votes, the candidates of the new configuration raise their terms against each other while they
     * wait for its vote, so their terms are soon far above its own; it must still hear them once it lost its own
     * election (an earlier rule heard a stranger only for the next term, and the cluster never elected a leader).
     */
    @Test
    void aVoterThatLostItsElectionHearsAnUnknownCandidateOfAnyLaterTerm()
    {
        final CoreHarness h = new CoreHarness(CoreHarness.config(2, 1, 2, 3).preVote(false).build());
        h.timeOut();
        assertEquals(RaftRole.CANDIDATE, h.node.role());
        assertEquals(1, h.node.currentTerm());
        h.node.onRequestVoteResponse(1, 1, 1, false, false, h.nowNs);
        h.node.onRequestVoteResponse(3, 1, 1, false, false, h.nowNs);
        h.cycle();
        assertEquals(RaftRole.FOLLOWER, h.node.role(), "it lost its election");
        h.outbox.drain();

        // Heard, and still counted as a frame from an unknown sender.
        h.node.onRequestVote(4, 9, 20, 5, false, 1, h.nowNs);
        h.cycle();
        assertEquals(9, h.node.currentTerm(), "the candidate of term 9 is heard");
        final List<RecordingOutbox.VoteResponse> answers = h.outbox.drain(RecordingOutbox.VoteResponse.class);
        assertEquals(1, answers.size(), answers.toString());
        assertEquals(4, answers.get(0).to());
        assertTrue(answers.get(0).granted(), "its log is longer: " + answers.get(0));
    }

    /**
     * Seed 13002362: leader 1 removed itself ({2, 3} the voters after the joint step, not yet committed). Voter 2
     * appended the change, then
     * heard nothing for an election timeout and knew no leader; from then on it refused 1 as removed, while 3 kept
     * following 1 and refused 2's pre-votes, so the change never committed. Until it commits, the voters of the
     * configuration before it are heard as leaders.
     */
    @Test
    void aVoterHearsTheLeaderThatRemovedItselfUntilTheRemovalCommits()
    {
        final CoreHarness h = new CoreHarness(2, 1, 2, 3);
        final Membership joint = Membership.bootstrap(new int[]{1, 2, 3}, null).remove(1);
        assertTrue(h.node.onAppendEntries(1, 1, 0, 0, 1, new ArrayEntryBatch(new long[]{1, 1},
            new byte[][]{entry(joint), entry(joint.leaveJoint())}), h.nowNs));
        h.cycle();
        assertTrue(h.node.membership().isRetired(1), h.node.membership().toString());
        assertFalse(h.node.membership().isJoint());
        assertEquals(1, h.node.commitIndex(), "the joint configuration committed, the one without 1 not yet");
        h.timeOut();
        assertEquals(RaftNode.NO_MEMBER, h.node.leaderId(), "it lost the leader");
        final long refusedBefore = h.node.rejectedMessageCount();

        assertTrue(h.node.onAppendEntries(1, 1, 2, 1, 2, ArrayEntryBatch.empty(), h.nowNs),
            "the leader of the configuration before the uncommitted change is heard");
        h.cycle();
        assertEquals(refusedBefore, h.node.rejectedMessageCount());
        assertEquals(1, h.node.leaderId());
        assertEquals(2, h.node.commitIndex(), "and the change commits");
    }

    /**
     * Seed 13027645: member 3, in a joint configuration that made learner 4 a voter, needed 4's vote. Member 4 had not
     * received that configuration: it knew 3 as a learner, still named an old leader, and refused 3's vote requests
     * for 26 terms. A member votes for any member of its configuration (one vote per term and the log rule decide).
     */
    @Test
    void aMemberVotesForOneItKnowsAsALearner()
    {
        final CoreHarness h = learnerOf(4, 1, Membership.bootstrap(new int[]{1}, null).addLearner(3, "h:3")
            .addLearner(4, "h:4"));
        assertTrue(h.node.membership().isLearner(3));
        assertEquals(1, h.node.leaderId());
        h.nowNs += ELECTION_MAX_NS;
        h.outbox.drain();

        assertTrue(h.node.onRequestVote(3, 2, 5, 1, false, 1, h.nowNs));
        h.cycle();
        assertEquals(2, h.node.currentTerm());
        assertTrue(onlyAnswer(h).granted(), "its log is as long");
    }

    /**
     * Seed 14006421: learner 3 knew only {2} and the learners {3, 4}; it followed leader 5 of a later term, added by
     * an entry it never received. 5 promoted it by force, crashed and restarted, and its joint configuration needed
     * 3's vote. A learner has no election timer, so it still named 5 as its leader and refused 5's pre-votes as a
     * stranger's: no leader was elected again. The leader a member follows is heard when it asks for a vote.
     */
    @Test
    void aMemberAnswersThePreVoteOfTheLeaderItFollows()
    {
        final CoreHarness h = learnerOf(3, 2, Membership.bootstrap(new int[]{2}, null).addLearner(3, "h:3")
            .addLearner(4, "h:4"));
        // A leader of a later term this learner never heard added: admitted, followed, but far ahead of its log.
        assertTrue(h.node.onAppendEntries(5, 3, 900, 3, 900, ArrayEntryBatch.empty(), h.nowNs));
        h.cycle();
        assertEquals(5, h.node.leaderId());
        assertEquals(3, h.node.currentTerm());
        h.nowNs += ELECTION_MAX_NS;
        h.outbox.drain();

        // Heard, and still counted as a frame from a member outside its configuration.
        h.node.onRequestVote(5, 4, 950, 3, true, 1, h.nowNs);
        h.cycle();
        assertTrue(onlyAnswer(h).granted(), "its log is longer and no leader was heard lately");
    }

    @Test
    void aMemberThatJoinsKnowsNoConfigurationAndNeverCampaigns()
    {
        final CoreHarness h = new CoreHarness(CoreHarness.config(4).joining(true).build());
        assertEquals(0, h.node.membership().members().length);
        assertNull(h.node.membershipChanges().bootstrapMismatch());
        for (int i = 0; i < 5; i++)
        {
            h.timeOut();
        }
        assertEquals(RaftRole.FOLLOWER, h.node.role());
        assertEquals(0, h.node.currentTerm());
        final List<RecordingOutbox.Message> sent = h.outbox.drain();
        assertEquals(0, sent.size(), "it knows nobody to ask: " + sent);
        // A leader it has never heard of is admitted: that is how it learns the configuration.
        final Membership withLearner = Membership.bootstrap(new int[]{1, 2, 3}, null).addLearner(4, "h:4");
        assertTrue(h.node.onAppendEntries(1, 1, 0, 0, 0, new ArrayEntryBatch(new long[]{1},
            new byte[][]{entry(withLearner)}), h.nowNs));
        assertTrue(h.node.membership().isLearner(4));
        assertEquals(1, h.node.leaderId());
    }

    @Test
    void theSettingsAreValidated()
    {
        assertThrows(IllegalArgumentException.class,
            () -> RaftConfig.builder().memberId(1).memberIds(1, 2).endpoints("a:1").build());
        assertThrows(IllegalArgumentException.class,
            () -> RaftConfig.builder().memberId(1).memberIds(1).promotionMaxLag(-1).build());
        final RaftConfig joining = RaftConfig.builder().memberId(7).memberIds(1, 2, 3).joining(true).build();
        assertTrue(joining.isJoining());
        assertEquals(Membership.EMPTY, joining.bootstrapMembership());
        final RaftConfig bootstrap = RaftConfig.builder().memberId(1).memberIds(1, 2).endpoints("a:1", "b:2").build();
        assertEquals("b:2", bootstrap.bootstrapMembership().endpoint(2));
        assertEquals(bootstrap.promotionMaxLag(), bootstrap.toBuilder().build().promotionMaxLag());
        assertEquals("a:1", bootstrap.toBuilder().build().bootstrapMembership().endpoint(1));
    }
}
