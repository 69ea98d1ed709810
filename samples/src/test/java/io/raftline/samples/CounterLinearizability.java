package io.raftline.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A linearizability checker for histories of the replicated counter: the Wing and Gong search (as in Lowe's and
 * porcupine's versions), with the counter as the model.
 * <p>
 * Operations are {@code add(delta)} and {@code read}. A read is an add of 0 that must see the counter at the point it
 * is linearized, somewhere inside its interval; a read that failed or got no answer observed nothing and is left out.
 * An {@code ok} operation returned the counter after its add; a {@code fail}
 * operation was refused and never applied, so it is left out; an {@code unknown} operation may have been applied
 * at any point after it was invoked, or never: it never returns, and linearizing it at the end (after every
 * observation) means it had no visible effect. The search looks for a total order of the operations that respects
 * real time (an operation that returned before another was invoked comes first) and in which every {@code ok}
 * value is the counter after that add.
 * <p>
 * Two reductions keep the search small: states already explored with the same set of linearized operations are
 * not explored again (memoization), and unknown adds of the same delta are interchangeable apart from when they
 * were invoked, so only the earliest-invoked one not yet linearized is ever tried (any linearization can be
 * reordered into that form).
 */
final class CounterLinearizability
{
    /**
     * One operation of a history.
     *
     * @param client     that ran it.
     * @param delta      added.
     * @param invokeNs   when it was invoked.
     * @param completeNs when it returned (ignored when unknown).
     * @param outcome    ok, fail or unknown.
     * @param value      the counter after the add, for ok.
     * @param isRead     whether it is a read (delta 0, value the counter it saw).
     */
    record Op(int client, long delta, long invokeNs, long completeNs, String outcome, long value, boolean isRead)
    {
        Op(final int client, final long delta, final long invokeNs, final long completeNs, final String outcome,
            final long value)
        {
            this(client, delta, invokeNs, completeNs, outcome, value, false);
        }
    }

    /**
     * The verdict.
     *
     * @param isLinearizable whether an order exists.
     * @param message        describing the history, or where the search got stuck.
     */
    record Result(boolean isLinearizable, String message)
    {
    }

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|-?\\d+)");

    private CounterLinearizability()
    {
    }

    static List<Op> read(final Path jsonLines)
    {
        final List<Op> ops = new ArrayList<>();
        try
        {
            for (final String line : Files.readAllLines(jsonLines))
            {
                if (line.isBlank())
                {
                    continue;
                }
                final Map<String, String> fields = new HashMap<>();
                final Matcher matcher = FIELD.matcher(line);
                while (matcher.find())
                {
                    fields.put(matcher.group(1), matcher.group(2).replace("\"", ""));
                }
                ops.add(new Op(
                    Integer.parseInt(fields.get("client")),
                    "read".equals(fields.get("op")) ? 0 : Long.parseLong(fields.get("delta")),
                    Long.parseLong(fields.get("invoke_ns")),
                    Long.parseLong(fields.get("complete_ns")),
                    fields.get("outcome"),
                    Long.parseLong(fields.getOrDefault("value", "-1")),
                    "read".equals(fields.get("op"))));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return ops;
    }

    /**
     * An event of the history: an operation's invocation or its return, in a doubly linked list in time order.
     */
    private static final class Entry
    {
        final int op;
        final boolean isCall;
        final long timeNs;
        Entry match;
        Entry prev;
        Entry next;

        Entry(final int op, final boolean isCall, final long timeNs)
        {
            this.op = op;
            this.isCall = isCall;
            this.timeNs = timeNs;
        }
    }

    private record Frame(Entry entry, long state)
    {
    }

    static Result check(final List<Op> history, final long initialValue)
    {
        final List<Op> ops = new ArrayList<>();
        for (final Op op : history)
        {
            if (!"fail".equals(op.outcome()) && !(op.isRead() && !"ok".equals(op.outcome())))
            {
                ops.add(op);
            }
        }
        final Entry head = buildList(ops);
        final BitSet linearized = new BitSet(ops.size());
        final Map<BitSet, Set<Long>> cache = new HashMap<>();
        final List<Frame> stack = new ArrayList<>();
        long state = initialValue;
        Entry entry = head.next;
        long steps = 0;
        int deepest = 0;
        final Set<Long> skippedDeltas = new HashSet<>();
        while (head.next != null)
        {
            steps++;
            if (null == entry)
            {
                return new Result(false, "search ran off the history");
            }
            if (entry.isCall)
            {
                final Op op = ops.get(entry.op);
                final boolean isUnknown = "unknown".equals(op.outcome());
                if (isUnknown && !skippedDeltas.add(op.delta()))
                {
                    entry = entry.next;
                    continue;
                }
                final long next = state + op.delta();
                if (isUnknown || next == op.value())
                {
                    linearized.set(entry.op);
                    if (cache.computeIfAbsent((BitSet)linearized.clone(), (k) -> new HashSet<>()).add(next))
                    {
                        stack.add(new Frame(entry, state));
                        deepest = Math.max(deepest, stack.size());
                        state = next;
                        lift(entry);
                        entry = head.next;
                        skippedDeltas.clear();
                        continue;
                    }
                    linearized.clear(entry.op);
                }
                entry = entry.next;
            }
            else
            {
                // An operation returned without being linearized: undo the last choice.
                if (stack.isEmpty())
                {
                    final Op op = ops.get(entry.op);
                    return new Result(false, "not linearizable: no order explains " + op + " after " +
                        deepest + " operations were placed (" + steps + " steps)");
                }
                final Frame frame = stack.remove(stack.size() - 1);
                state = frame.state();
                linearized.clear(frame.entry().op);
                unlift(frame.entry());
                entry = frame.entry().next;
                skippedDeltas.clear();
                rebuildSkipped(head, frame.entry(), ops, skippedDeltas);
                if ("unknown".equals(ops.get(frame.entry().op).outcome()))
                {
                    // Not placing this unknown add here means no later one of the same delta goes here either.
                    skippedDeltas.add(ops.get(frame.entry().op).delta());
                }
            }
        }
        return new Result(true, "linearizable: " + ops.size() + " operations (" + (history.size() - ops.size()) +
            " failed, left out), " + steps + " search steps");
    }

    /**
     * Re-derive which unknown deltas were passed over before {@code upTo} in the current scan.
     */
    private static void rebuildSkipped(final Entry head, final Entry upTo, final List<Op> ops,
        final Set<Long> skippedDeltas)
    {
        for (Entry e = head.next; e != null && e != upTo; e = e.next)
        {
            if (e.isCall && "unknown".equals(ops.get(e.op).outcome()))
            {
                skippedDeltas.add(ops.get(e.op).delta());
            }
        }
    }

    private static Entry buildList(final List<Op> ops)
    {
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++)
        {
            final Op op = ops.get(i);
            final Entry call = new Entry(i, true, op.invokeNs());
            final Entry ret = new Entry(i, false, "unknown".equals(op.outcome()) ? Long.MAX_VALUE : op.completeNs());
            call.match = ret;
            ret.match = call;
            entries.add(call);
            entries.add(ret);
        }
        // Calls before returns at the same instant: overlapping is the permissive reading.
        entries.sort(Comparator.comparingLong((Entry e) -> e.timeNs).thenComparing((Entry e) -> !e.isCall));
        final Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry previous = head;
        for (final Entry e : entries)
        {
            previous.next = e;
            e.prev = previous;
            previous = e;
        }
        return head;
    }

    private static void lift(final Entry call)
    {
        call.prev.next = call.next;
        if (null != call.next)
        {
            call.next.prev = call.prev;
        }
        final Entry ret = call.match;
        ret.prev.next = ret.next;
        if (null != ret.next)
        {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(final Entry call)
    {
        final Entry ret = call.match;
        ret.prev.next = ret;
        if (null != ret.next)
        {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (null != call.next)
        {
            call.next.prev = call;
        }
    }
}
