package io.raftline.engine.sim;

import io.raftline.engine.core.RaftRole;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The safety properties of Raft (Figure 3 of the paper), checked as the simulation runs:
 * <ul>
 *     <li>Election safety: at most one leader per term;</li>
 *     <li>Log matching: two logs with an entry of the same index and term are identical up to it;</li>
 *     <li>Leader completeness: a new leader's log holds every entry committed so far;</li>
 *     <li>State machine safety: every member applies the same entry at an index, and only a committed one;</li>
 *     <li>the committed history never changes, and a member's commit index never decreases;</li>
 *     <li>each member applies indices in order, without gaps or repeats, once per lifetime.</li>
 * </ul>
 * A violation throws {@link SimulationFailure} carrying the seed and the command that replays it.
 */
final class Invariants
{
    private final Simulation sim;
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private long[] committedTerm = new long[1024];
    private long[] committedChain = new long[1024];
    // The term of the leader that committed each index: leader completeness binds leaders of later terms only.
    private long[] commitTerm = new long[1024];
    // The state machine's state (a hash) right after applying each index, as first seen.
    private long[] appliedState = new long[1024];
    // The cluster time of each committed index: never lower than the one before, whoever led.
    private long[] committedTimestamp = new long[1024];
    private long appliedStateMax;
    private long committedMax;
    private long checks;

    Invariants(final Simulation sim)
    {
        this.sim = sim;
    }

    long committedMax()
    {
        return committedMax;
    }

    long committedTerm(final long index)
    {
        return committedTerm[(int)index];
    }

    long committedChain(final long index)
    {
        return 0 == index ? 0 : committedChain[(int)index];
    }

    /**
     * Reads: a member answered a read at {@code appliedIndex} with state {@code stateHash}. It must hold everything
     * committed anywhere when the read arrived ({@code committedAtArrival}: the answer is the state at some index
     * between that and the index when answered), and be the state every member has at that index.
     */
    void onReadAnswered(
        final SimNode node, final String kind, final long committedAtArrival, final long appliedIndex,
        final long stateHash)
    {
        checks++;
        if (appliedIndex < committedAtArrival)
        {
            throw sim.failure("stale " + kind + " read at member " + node.id() + ": answered at applied index " +
                appliedIndex + " but index " + committedAtArrival + " was committed when the read arrived");
        }
        if (appliedIndex > appliedStateMax || (appliedIndex > 0 && appliedState[(int)appliedIndex] != 0 &&
            appliedState[(int)appliedIndex] != stateHash))
        {
            throw sim.failure(kind + " read at member " + node.id() + " answered from a state at index " +
                appliedIndex + " that is not the applied sequence's");
        }
    }

    long checks()
    {
        return checks;
    }

    void onRoleChange(final SimNode node, final RaftRole to, final long term)
    {
        if (RaftRole.LEADER != to)
        {
            return;
        }
        final Integer previous = leaderOfTerm.putIfAbsent(term, node.id());
        if (null != previous && previous != node.id())
        {
            throw sim.failure("election safety: term " + term + " has two leaders, " + previous + " and " +
                node.id());
        }
        final ObservedLog log = node.log();
        long mustHold = 0;
        for (long index = committedMax; index > 0; index--)
        {
            if (commitTerm[(int)index] < term)
            {
                mustHold = index;
                break;
            }
        }
        if (mustHold > log.baseIndex())
        {
            if (log.lastIndex() < mustHold || log.termAt(mustHold) != committedTerm[(int)mustHold] ||
                log.chain(mustHold) != committedChain[(int)mustHold])
            {
                throw sim.failure("leader completeness: new leader " + node.id() + " of term " + term +
                    " lacks entries committed before its term, up to " + mustHold + " (its last index " +
                    log.lastIndex() + ")");
            }
        }
    }

    void onCommit(final SimNode node, final long commitIndex)
    {
        if (commitIndex <= node.commitSeen())
        {
            throw sim.failure("commit index of " + node.id() + " went from " + node.commitSeen() + " to " +
                commitIndex);
        }
        final ObservedLog log = node.log();
        for (long index = node.commitSeen() + 1; index <= commitIndex; index++)
        {
            if (index <= log.baseIndex())
            {
                continue;
            }
            final long term = log.termAt(index);
            final long chain = log.chain(index);
            if (index <= committedMax)
            {
                if (committedTerm[(int)index] != term || committedChain[(int)index] != chain)
                {
                    throw sim.failure("committed history changed: member " + node.id() + " commits index " + index +
                        " with term " + term + " but term " + committedTerm[(int)index] + " was committed there");
                }
            }
            else
            {
                if (index != committedMax + 1)
                {
                    throw sim.failure("member " + node.id() + " commits index " + index + " past the committed end " +
                        committedMax);
                }
                ensureCapacity(index);
                final long timestamp = log.timestampAt(index);
                if (index > 1 && timestamp < committedTimestamp[(int)index - 1])
                {
                    throw sim.failure("cluster time went back: member " + node.id() + " commits index " + index +
                        " stamped " + timestamp + " after index " + (index - 1) + " stamped " +
                        committedTimestamp[(int)index - 1]);
                }
                committedTimestamp[(int)index] = timestamp;
                committedTerm[(int)index] = term;
                committedChain[(int)index] = chain;
                commitTerm[(int)index] = node.core().currentTerm();
                committedMax = index;
            }
        }
        node.commitSeen(commitIndex);
    }

    /**
     * A member restored a snapshot: its state must be the state every member had after applying that index.
     */
    void onRestore(final SimNode node, final long index, final long stateHash)
    {
        if (index <= appliedStateMax && appliedState[(int)index] != stateHash)
        {
            throw sim.failure("member " + node.id() + " restored a snapshot at index " + index +
                " whose state differs from the state members had after applying that index");
        }
        if (index > committedMax)
        {
            throw sim.failure("member " + node.id() + " restored a snapshot at index " + index +
                " beyond the committed end " + committedMax);
        }
        node.appliedSeen(index);
    }

    void onApply(final SimNode node, final long index, final long term)
    {
        if (index != node.appliedSeen() + 1)
        {
            throw sim.failure("member " + node.id() + " applied index " + index + " after " + node.appliedSeen() +
                " (gap or repeat)");
        }
        if (index > committedMax || committedTerm[(int)index] != term ||
            node.log().chain(index) != committedChain[(int)index])
        {
            throw sim.failure("state machine safety: member " + node.id() + " applied index " + index + " term " +
                term + " which is not the committed entry (committed up to " + committedMax + ")");
        }
        node.appliedSeen(index);
        if (index > appliedStateMax)
        {
            ensureCapacity(index);
            appliedState[(int)index] = node.stateHash();
            appliedStateMax = index;
        }
        else if (appliedState[(int)index] != node.stateHash() && appliedState[(int)index] != 0)
        {
            throw sim.failure("member " + node.id() + " has a different state after applying index " + index +
                " than other members had");
        }
    }

    /**
     * Log matching between every pair of live members: at the highest index where two logs hold the same term,
     * their chains must agree, which covers every lower index too.
     */
    void afterStep()
    {
        checks++;
        final SimNode[] nodes = sim.nodes();
        for (int a = 0; a < nodes.length; a++)
        {
            if (!nodes[a].isAlive())
            {
                continue;
            }
            for (int b = a + 1; b < nodes.length; b++)
            {
                if (nodes[b].isAlive())
                {
                    checkLogMatching(nodes[a], nodes[b]);
                }
            }
        }
    }

    private void checkLogMatching(final SimNode a, final SimNode b)
    {
        final ObservedLog logA = a.log();
        final ObservedLog logB = b.log();
        final long low = Math.max(logA.baseIndex(), logB.baseIndex());
        long index = Math.min(logA.lastIndex(), logB.lastIndex());
        while (index > low && logA.termAt(index) != logB.termAt(index))
        {
            index--;
        }
        if (index > low && logA.chain(index) != logB.chain(index))
        {
            throw sim.failure("log matching: members " + a.id() + " and " + b.id() + " both hold term " +
                logA.termAt(index) + " at index " + index + " but their logs differ up to it");
        }
    }

    private void ensureCapacity(final long index)
    {
        if (index >= committedTerm.length)
        {
            final int length = (int)Math.max(index + 1, committedTerm.length * 2L);
            committedTerm = Arrays.copyOf(committedTerm, length);
            committedChain = Arrays.copyOf(committedChain, length);
            commitTerm = Arrays.copyOf(commitTerm, length);
            appliedState = Arrays.copyOf(appliedState, length);
            committedTimestamp = Arrays.copyOf(committedTimestamp, length);
        }
    }
}
