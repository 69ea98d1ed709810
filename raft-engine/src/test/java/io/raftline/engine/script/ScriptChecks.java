package io.raftline.engine.script;

import io.raftline.engine.core.RaftRole;
import io.raftline.log.InMemoryRaftLog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Raft's safety properties (Figure 3 of the paper), checked after every step of a script, as the simulator's
 * {@code Invariants} checks them after every event (that class is bound to the simulator's members, so the script
 * members are checked here with the same rules over their small logs):
 * <ul>
 *     <li>election safety: at most one leader per term;</li>
 *     <li>leader completeness: a new leader holds every entry committed by the leaders of earlier terms;</li>
 *     <li>the committed history never changes; a member's commit index never decreases;</li>
 *     <li>state machine safety: members apply the committed entries, in order, each once per lifetime;</li>
 *     <li>log matching: two live logs that hold the same term at an index agree up to it.</li>
 * </ul>
 */
final class ScriptChecks
{
    private record Committed(long term, String payload, long committerTerm)
    {
    }

    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private final List<Committed> committed = new ArrayList<>();

    long committedMax()
    {
        return committed.size();
    }

    void onRoleChange(final ScriptMember member, final RaftRole to, final long term)
    {
        if (RaftRole.LEADER != to)
        {
            return;
        }
        final Integer previous = leaderOfTerm.putIfAbsent(term, member.id());
        if (null != previous && previous != member.id())
        {
            throw violation("election safety: term " + term + " has two leaders, " + previous + " and " +
                member.id());
        }
        final InMemoryRaftLog log = member.log();
        for (long index = log.baseIndex() + 1; index <= committed.size(); index++)
        {
            final Committed entry = committed.get((int)index - 1);
            if (entry.committerTerm() < term && (index > log.lastIndex() || log.termAt(index) != entry.term()))
            {
                throw violation("leader completeness: new leader " + member.id() + " of term " + term +
                    " lacks committed entry " + entry.term() + "/" + index);
            }
        }
    }

    void onCommit(final ScriptMember member, final long commitIndex)
    {
        if (commitIndex <= member.commitSeen())
        {
            throw violation("commit index of " + member.id() + " went from " + member.commitSeen() + " to " +
                commitIndex);
        }
        final InMemoryRaftLog log = member.log();
        for (long index = member.commitSeen() + 1; index <= commitIndex; index++)
        {
            if (index <= log.baseIndex())
            {
                continue;
            }
            final long term = log.termAt(index);
            final String payload = member.payloadAt(index);
            if (index <= committed.size())
            {
                final Committed entry = committed.get((int)index - 1);
                if (entry.term() != term || !Objects.equals(entry.payload(), payload))
                {
                    throw violation("committed history changed: member " + member.id() + " commits " + term + "/" +
                        index + " but " + entry.term() + "/" + index + " was committed there");
                }
            }
            else if (index == committed.size() + 1)
            {
                committed.add(new Committed(term, payload, member.metadata().currentTerm()));
            }
            else
            {
                throw violation("member " + member.id() + " commits index " + index + " past the committed end " +
                    committed.size());
            }
        }
        member.commitSeen(commitIndex);
    }

    void onApply(final ScriptMember member, final long index, final long term, final String payload)
    {
        if (index != member.appliedSeen() + 1)
        {
            throw violation("member " + member.id() + " applied index " + index + " after " + member.appliedSeen());
        }
        if (index > committed.size() || committed.get((int)index - 1).term() != term ||
            !Objects.equals(committed.get((int)index - 1).payload(), payload))
        {
            throw violation("state machine safety: member " + member.id() + " applied " + term + "/" + index +
                " which is not the committed entry");
        }
        member.appliedSeen(index);
    }

    void onRestore(final ScriptMember member, final long index)
    {
        if (index > committed.size())
        {
            throw violation("member " + member.id() + " restored a snapshot at " + index +
                " beyond the committed end " + committed.size());
        }
        member.appliedSeen(index);
    }

    void afterStep(final List<ScriptMember> members)
    {
        for (int a = 0; a < members.size(); a++)
        {
            for (int b = a + 1; b < members.size(); b++)
            {
                if (members.get(a).isAlive() && members.get(b).isAlive())
                {
                    checkLogMatching(members.get(a), members.get(b));
                }
            }
        }
    }

    private void checkLogMatching(final ScriptMember a, final ScriptMember b)
    {
        final InMemoryRaftLog logA = a.log();
        final InMemoryRaftLog logB = b.log();
        final long low = Math.max(logA.baseIndex(), logB.baseIndex());
        long index = Math.min(logA.lastIndex(), logB.lastIndex());
        while (index > low && logA.termAt(index) != logB.termAt(index))
        {
            index--;
        }
        for (long i = index; i > low; i--)
        {
            if (logA.termAt(i) != logB.termAt(i) || !Objects.equals(a.payloadAt(i), b.payloadAt(i)))
            {
                throw violation("log matching: members " + a.id() + " and " + b.id() + " both hold term " +
                    logA.termAt(index) + " at index " + index + " but differ at index " + i);
            }
        }
    }

    private static IllegalStateException violation(final String message)
    {
        return new IllegalStateException("invariant violated: " + message);
    }
}
