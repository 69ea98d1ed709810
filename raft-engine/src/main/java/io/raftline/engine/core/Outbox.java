package io.raftline.engine.core;

/**
 * Where the core writes the messages it sends to other members.
 * <p>
 * <b>The durability contract.</b> A step of the core (one inbound message, one proposal, one {@code doWork}) may
 * change the log and the term/vote and also emit messages. Messages fall into two lanes:
 * <ul>
 *     <li><b>after persist</b>: {@link #requestVote} (unless it is a pre-vote), {@link #voteResponse},
 *     {@link #appendEntriesResponse} and {@link #installSnapshotResponse}. They promise something about this
 *     member's durable state (a vote, a term, the entries it holds), so an implementation must hold them back until
 *     the log and metadata changes made before the call are durable (the driver syncs the stores, then releases
 *     them). A crash between the two loses both the state and the messages, never only the state;</li>
 *     <li><b>immediate</b>: {@link #appendEntries}, {@link #installSnapshot}, {@link #timeoutNow} and pre-vote
 *     requests. They depend only on state that was durable before the step (the leader's term), or on nothing: a
 *     leader may send entries before its own copy is synced (Raft thesis §10.2.1) because it counts itself towards
 *     a commit only after the driver reports the sync through {@link RaftNode#onPersisted()}.</li>
 * </ul>
 * <b>Back-pressure.</b> A send that returns false (or a negative count) was not sent and the core retries it later;
 * a response that cannot go out at once stays queued in the implementation, or is counted and dropped like a lost
 * network packet, which Raft tolerates.
 */
public interface Outbox
{
    /**
     * Send entries {@code firstIndex ..} (at most {@code maxEntries}, fewer if the transport's message limit is
     * reached) from the leader's log, read at the time of the call. An empty batch is a heartbeat.
     *
     * @param followerId   to send to.
     * @param term         the leader's current term.
     * @param prevLogIndex index of the entry before {@code firstIndex}.
     * @param prevLogTerm  term of that entry.
     * @param leaderCommit the leader's commit index.
     * @param firstIndex   index of the first entry to send, {@code prevLogIndex + 1}.
     * @param maxEntries   most entries to send, possibly 0.
     * @return how many entries were sent (0 for a heartbeat), or a negative value if nothing could be sent now.
     */
    int appendEntries(
        int followerId,
        long term,
        long prevLogIndex,
        long prevLogTerm,
        long leaderCommit,
        long firstIndex,
        int maxEntries);

    /**
     * Answer an AppendEntries. Lane: after persist.
     *
     * @param leaderId      to answer.
     * @param term          this member's current term.
     * @param prevLogIndex  of the request answered, so the leader can drop stale answers.
     * @param success       whether the entries were accepted.
     * @param matchIndex    on success, the last index known to match the leader's log.
     * @param conflictIndex on rejection, where the leader should look next: the first index of
     *                      {@code conflictTerm}, or the end of this log.
     * @param conflictTerm  on rejection, the term of this member's entry at {@code prevLogIndex}, or 0 if it has
     *                      none.
     * @param lastLogIndex  this member's last index.
     */
    void appendEntriesResponse(
        int leaderId,
        long term,
        long prevLogIndex,
        boolean success,
        long matchIndex,
        long conflictIndex,
        long conflictTerm,
        long lastLogIndex);

    /**
     * Ask for a vote. Lane: immediate for a pre-vote, after persist for a vote.
     *
     * @param recipientId  to ask.
     * @param term         the candidate's term (for a pre-vote, the term it would stand in).
     * @param lastLogIndex of the candidate.
     * @param lastLogTerm  of the candidate.
     * @param preVote      whether this is a pre-vote.
     * @param round        the candidate's election round, for the voter to echo.
     * @return false if the request could not be sent now.
     */
    boolean requestVote(int recipientId, long term, long lastLogIndex, long lastLogTerm, boolean preVote, long round);

    /**
     * Answer a vote request. Lane: after persist.
     *
     * @param candidateId   to answer.
     * @param term          this member's current term.
     * @param candidateTerm the term the vote was asked for.
     * @param granted       whether the vote is granted.
     * @param preVote       whether it answers a pre-vote.
     * @param round         the round of the request answered, echoed.
     */
    void voteResponse(int candidateId, long term, long candidateTerm, boolean granted, boolean preVote, long round);

    /**
     * Tell a caught-up follower to start an election at once (leadership transfer). Lane: immediate.
     *
     * @param followerId to send to.
     * @param term       the leader's current term.
     * @return false if it could not be sent now.
     */
    boolean timeoutNow(int followerId, long term);

    /**
     * {@link #installSnapshot} result: the snapshot store's newest snapshot is no longer the one asked for (a
     * transfer's first chunk opens the newest; later chunks read the snapshot it opened); start again with the newest.
     */
    int SNAPSHOT_CHANGED = -2;

    /**
     * The transfer tag of a chunk or answer from a member of schema version 1, which has none; a leader's own tags
     * are positive.
     */
    long UNTAGGED_TRANSFER = 0;

    /**
     * Send the chunk of the leader's newest snapshot that starts at {@code chunkOffset}, read from the snapshot
     * store (the implementation keeps the snapshot open until {@link #endSnapshotTransfer}, so that a rewind reads
     * the same bytes). Lane: immediate.
     *
     * @param followerId     to send to.
     * @param term           the leader's current term.
     * @param snapshotIndex  last index the snapshot covers.
     * @param snapshotTerm   term of that index.
     * @param chunkOffset    first byte of the chunk.
     * @param maxChunkLength most bytes to send.
     * @param transferId     the leader's tag of this transfer and rewind, echoed in the answer.
     * @return bytes sent (0 only for an empty snapshot), {@link #SNAPSHOT_CHANGED}, or -1 if nothing could be sent
     * now.
     */
    int installSnapshot(
        int followerId,
        long term,
        long snapshotIndex,
        long snapshotTerm,
        long chunkOffset,
        int maxChunkLength,
        long transferId);

    /**
     * The snapshot transfer to this follower is over (installed, abandoned, or this member no longer leads): release
     * the snapshot the implementation kept open for it. Lane: none, nothing is sent.
     *
     * @param followerId whose transfer ended.
     */
    void endSnapshotTransfer(int followerId);

    /**
     * Answer a snapshot chunk. Lane: after persist.
     *
     * @param leaderId      to answer.
     * @param term          this member's current term.
     * @param snapshotIndex of the snapshot being received.
     * @param nextOffset    the first byte still needed, or the snapshot length once installed.
     * @param status        one of the {@code SNAPSHOT_*} codes of {@link RaftNode}.
     * @param transferId    of the chunk answered.
     */
    void installSnapshotResponse(
        int leaderId, long term, long snapshotIndex, long nextOffset, int status, long transferId);

    /**
     * Ask for a vote as {@link #requestVote(int, long, long, long, boolean, long)} does, saying whether the candidate
     * campaigns because its leader handed over to it (TimeoutNow): a member with lease reads on refuses other votes
     * while it hears from a leader. The default drops the flag, for outboxes of peers that cannot carry it.
     *
     * @param transfer whether the campaign is a leadership transfer's.
     * @return false if the request could not be sent now.
     */
    default boolean requestVote(
        final int recipientId,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final long round,
        final boolean transfer)
    {
        return requestVote(recipientId, term, lastLogIndex, lastLogTerm, preVote, round);
    }

    /**
     * Reads: the leader's confirmation round ({@code fromLeader}), or a follower's request for a read index. Lane:
     * immediate (it promises nothing durable: a vote in a later term is durable before it is granted, so a member
     * that echoes this term's round cannot have helped elect a later leader). The default sends nothing (returns
     * false, as a refused send), for test outboxes that carry no reads.
     *
     * @param recipientId to send to.
     * @param term        the sender's current term.
     * @param round       the leader's round, or the follower's request number.
     * @param fromLeader  true for the leader's round, false for a follower's request.
     * @return false if it could not be sent now.
     */
    default boolean readIndexRequest(final int recipientId, final long term, final long round, final boolean fromLeader)
    {
        return false;
    }

    /**
     * Reads: a follower's echo of the leader's round, or the leader's read index for a follower's request. Lane:
     * immediate. The default sends nothing.
     *
     * @param recipientId to send to.
     * @param term        the sender's current term.
     * @param round       the round or request answered.
     * @param readIndex   for the leader's answer, the read index; else 0.
     * @param fromLeader  true for the leader's answer, false for a follower's echo.
     * @return false if it could not be sent now.
     */
    default boolean readIndexResponse(
        final int recipientId, final long term, final long round, final long readIndex, final boolean fromLeader)
    {
        return false;
    }
}
