package io.raftline.engine.core;

import java.util.random.RandomGenerator;

import static io.raftline.engine.core.RaftNode.NO_MEMBER;
import static io.raftline.engine.core.RaftRole.FOLLOWER;
import static io.raftline.engine.core.RaftRole.LEADER;

/**
 * A member's role and what goes with it: the leader it follows, the election timer, the last contact with a leader
 * (for PreVote's leader stickiness) and the count of elections. {@link #transitionTo} is the single place the role
 * changes; it owns each role's entry actions (Aeron's {@code Election.state(...)} habit).
 */
final class RoleState implements Roles
{
    private final RaftConfig config;
    private final CoreLog log;
    private final RandomGenerator random;
    private final RaftEventListener listener;
    private final RoleListener roleListener;
    private final int memberId;
    private Election election;
    private Replicator replicator;
    private ReadTracker reads;
    private RaftRole role = FOLLOWER;
    private int leaderId = NO_MEMBER;
    private long electionDeadlineNs;
    private long lastLeaderContactNs;
    private long electionCount;
    private long startNs;
    // As leader: the index of the first entry of its term (the noop, when it appends one).
    private long termStartIndex = Long.MAX_VALUE;

    RoleState(final RaftConfig config, final CoreLog log, final RandomGenerator random,
        final RaftEventListener listener, final RoleListener roleListener)
    {
        this.roleListener = roleListener;
        this.config = config;
        this.log = log;
        this.random = random;
        this.listener = listener;
        this.memberId = config.memberId();
    }

    void attach(final Election election, final Replicator replicator)
    {
        this.election = election;
        this.replicator = replicator;
    }

    void attachReads(final ReadTracker reads)
    {
        this.reads = reads;
    }

    /**
     * Start as a follower with a fresh election timeout.
     */
    void start(final long nowNs)
    {
        startNs = nowNs;
        lastLeaderContactNs = nowNs;
        if (config.isPreVoteEnabled())
        {
            // A member that just started looks for a leader sooner: if one exists, its followers refuse the
            // pre-vote (they hear from it), so a short first timeout disturbs nobody; if none does, the cluster
            // elects one in a quarter to a half of the usual time.
            final long minNs = config.electionTimeoutMinNs();
            electionDeadlineNs = nowNs + random.nextLong(minNs / 4, minNs / 2 + 1);
        }
        else
        {
            resetElectionDeadline(nowNs);
        }
    }

    public RaftRole role()
    {
        return role;
    }

    int leaderId()
    {
        return leaderId;
    }

    long electionDeadlineNs()
    {
        return electionDeadlineNs;
    }

    /**
     * @return as leader, the index of the first entry of its term; {@code Long.MAX_VALUE} before it first led.
     */
    long termStartIndex()
    {
        return termStartIndex;
    }

    long electionCount()
    {
        return electionCount;
    }

    /**
     * The thread did not run for {@code pausedNs}: the election timer and the last leader contact move with it.
     */
    void onPause(final long pausedNs)
    {
        electionDeadlineNs += pausedNs;
        lastLeaderContactNs += pausedNs;
    }

    /**
     * Become a follower in {@code term} (not lower than the current one), forgetting the vote if the term is new.
     */
    void stepDown(final long term, final int newLeaderId, final long nowNs, final String reason)
    {
        final long currentTerm = log.currentTerm();
        if (term < currentTerm)
        {
            throw new RaftSafetyException("term would go backwards: currentTerm=" + currentTerm + " term=" + term);
        }
        if (term > currentTerm)
        {
            log.updateTermAndVote(term, NO_MEMBER);
        }
        leaderId = newLeaderId;
        if (FOLLOWER != role)
        {
            transitionTo(FOLLOWER, nowNs, reason);
        }
    }

    /**
     * A message from the leader of the current term arrived: follow it. Raft forbids two leaders of one term.
     */
    void followLeader(final int newLeaderId, final long nowNs, final String messageType)
    {
        if (LEADER == role)
        {
            throw new RaftSafetyException("two leaders in term " + log.currentTerm() + ": " + memberId + " and " +
                newLeaderId + " (" + messageType + ")");
        }
        if (FOLLOWER != role)
        {
            transitionTo(FOLLOWER, nowNs, messageType + " from leader " + newLeaderId);
        }
        leaderId = newLeaderId;
        lastLeaderContactNs = nowNs;
        resetElectionDeadline(nowNs);
    }

    /**
     * The single place the role changes; it owns each role's entry actions.
     */
    public void transitionTo(final RaftRole next, final long nowNs, final String reason)
    {
        final RaftRole previous = role;
        role = next;
        switch (next)
        {
            case FOLLOWER:
                if (leaderId == memberId)
                {
                    // Stepping down on its own (check-quorum): no leader of this term is known any more, and
                    // naming itself would redirect clients to a member that refuses them.
                    leaderId = NO_MEMBER;
                }
                replicator.cancelTransfer();
                replicator.onStepDown();
                resetElectionDeadline(nowNs);
                break;

            case PRE_CANDIDATE:
                leaderId = NO_MEMBER;
                resetElectionDeadline(nowNs);
                election.resetVotes();
                break;

            case CANDIDATE:
                leaderId = NO_MEMBER;
                log.updateTermAndVote(log.currentTerm() + 1, memberId);
                electionCount++;
                resetElectionDeadline(nowNs);
                election.resetVotes();
                break;

            case LEADER:
                leaderId = memberId;
                termStartIndex = log.lastIndex() + 1;
                replicator.onBecomeLeader(nowNs);
                break;

            default:
                throw new IllegalStateException("unknown role " + next);
        }
        if (null != reads)
        {
            reads.onRoleChange(previous, next);
        }
        roleListener.onRoleChange(previous, next, log.currentTerm(), nowNs);
        listener.onRoleChange(memberId, previous, next, log.currentTerm(), reason, nowNs);
    }

    public void resetElectionDeadline(final long nowNs)
    {
        electionDeadlineNs = nowNs + random.nextLong(config.electionTimeoutMinNs(), config.electionTimeoutMaxNs());
    }

    /**
     * Leader stickiness: while this member has heard from a live leader within the minimum election timeout it
     * believes that leader is alive, and refuses to help anyone replace it.
     */
    boolean isWithinLeaderLease(final long nowNs)
    {
        return LEADER == role ||
            (NO_MEMBER != leaderId && nowNs - lastLeaderContactNs < config.electionTimeoutMinNs()) ||
            // With lease reads, a member that just (re)started may have acknowledged a leader's round before it
            // went down and forgotten it: it keeps quiet for a minimum election timeout, as if it had heard then.
            (config.isLeaseReadEnabled() && nowNs - startNs < config.electionTimeoutMinNs());
    }
}
