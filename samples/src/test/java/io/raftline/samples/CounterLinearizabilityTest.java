package io.raftline.samples;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker accepts linearizable counter histories and rejects the classic violations.
 */
class CounterLinearizabilityTest
{
    private static CounterLinearizability.Op ok(final int client, final long invoke, final long complete,
        final long value)
    {
        return new CounterLinearizability.Op(client, 1, invoke, complete, "ok", value);
    }

    private static CounterLinearizability.Op unknown(final int client, final long invoke)
    {
        return new CounterLinearizability.Op(client, 1, invoke, Long.MAX_VALUE, "unknown", -1);
    }

    @Test
    void acceptsConcurrentAddsInEitherOrder()
    {
        assertTrue(CounterLinearizability.check(List.of(ok(0, 0, 10, 2), ok(1, 1, 9, 1)), 0).isLinearizable());
    }

    @Test
    void rejectsAValueSeenTwice()
    {
        final var result = CounterLinearizability.check(List.of(ok(0, 0, 10, 1), ok(1, 1, 9, 1)), 0);
        assertFalse(result.isLinearizable(), result.message());
    }

    @Test
    void rejectsAReadOfTheFutureAcrossRealTime()
    {
        // Client 0's add completed (value 2) before client 1's add was invoked, yet client 1 saw value 1.
        assertFalse(CounterLinearizability.check(List.of(ok(0, 0, 5, 2), ok(1, 6, 9, 1), unknown(2, 0)), 0)
            .isLinearizable());
    }

    @Test
    void unknownOperationsMayOrMayNotHaveTakenEffect()
    {
        // Value 2 needs the unknown add to have happened first; value 1 alone needs it not to have happened yet.
        assertTrue(CounterLinearizability.check(List.of(unknown(0, 0), ok(1, 5, 9, 2)), 0).isLinearizable());
        assertTrue(CounterLinearizability.check(List.of(unknown(0, 0), ok(1, 5, 9, 1)), 0).isLinearizable());
        // An unknown add invoked after the observation cannot explain it.
        assertFalse(CounterLinearizability.check(List.of(unknown(0, 10), ok(1, 5, 9, 2)), 0).isLinearizable());
    }

    private static CounterLinearizability.Op read(final int client, final long invoke, final long complete,
        final String outcome, final long value)
    {
        return new CounterLinearizability.Op(client, 0, invoke, complete, outcome, value, true);
    }

    @Test
    void aReadSeesTheValueAtSomePointInsideItsInterval()
    {
        // The read overlaps the add: it may see the counter before or after it.
        assertTrue(CounterLinearizability.check(List.of(ok(0, 0, 10, 1), read(1, 2, 8, "ok", 0)), 0)
            .isLinearizable());
        assertTrue(CounterLinearizability.check(List.of(ok(0, 0, 10, 1), read(1, 2, 8, "ok", 1)), 0)
            .isLinearizable());
        // A value the counter never had is no linearization point.
        assertFalse(CounterLinearizability.check(List.of(ok(0, 0, 10, 1), read(1, 2, 8, "ok", 5)), 0)
            .isLinearizable());
    }

    @Test
    void rejectsAStaleRead()
    {
        // The add returned 1 before the read was invoked; a read that still sees 0 is the deposed leader's stale read.
        final var result = CounterLinearizability.check(List.of(ok(0, 0, 5, 1), read(1, 6, 9, "ok", 0)), 0);
        assertFalse(result.isLinearizable(), result.message());
    }

    @Test
    void rejectsAReadOfTheFuture()
    {
        // The read returned 1 before the add that makes 1 was invoked.
        assertFalse(CounterLinearizability.check(List.of(read(1, 0, 4, "ok", 1), ok(0, 5, 9, 1)), 0)
            .isLinearizable());
    }

    @Test
    void readsThatFailedOrGotNoAnswerObservedNothing()
    {
        assertTrue(CounterLinearizability.check(List.of(ok(0, 0, 5, 1), read(1, 6, 9, "unknown", -1),
            read(2, 6, 9, "fail", -1), read(3, 10, 12, "ok", 1)), 0).isLinearizable());
    }

    @Test
    void failedOperationsAreLeftOut()
    {
        final List<CounterLinearizability.Op> history = List.of(
            new CounterLinearizability.Op(0, 1, 0, 3, "fail", -1), ok(1, 4, 6, 1));
        assertTrue(CounterLinearizability.check(history, 0).isLinearizable());
    }

    @Test
    void largeRandomLinearizableHistoriesAreAcceptedAndCorruptedOnesRejected()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final List<CounterLinearizability.Op> history = new ArrayList<>();
        // Five clients, each with one add outstanding; each add takes effect at a random point of its interval.
        final long[] busyUntil = new long[5];
        long value = 0;
        long time = 0;
        for (int i = 0; i < 20_000; i++)
        {
            time += 1 + random.nextInt(3);
            final int client = random.nextInt(5);
            if (busyUntil[client] >= time)
            {
                continue;
            }
            value++;
            final long invoke = time - random.nextInt(2);
            final long complete = time + random.nextInt(3);
            busyUntil[client] = complete;
            history.add(random.nextInt(50) == 0 ? unknown(client, invoke) : ok(client, invoke, complete, value));
        }
        final var good = CounterLinearizability.check(history, 0);
        assertTrue(good.isLinearizable(), good.message());

        final CounterLinearizability.Op victim = history.get(history.size() / 2);
        final int at = history.size() / 2;
        history.set(at, ok(victim.client(), victim.invokeNs(), victim.completeNs() == Long.MAX_VALUE ?
            victim.invokeNs() + 1 : victim.completeNs(), 1));
        assertFalse(CounterLinearizability.check(history, 0).isLinearizable());
    }
}
