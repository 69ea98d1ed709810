package io.raftline.engine.agent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerTableTest
{
    private final TimerTable timers = new TimerTable(4);
    private final List<String> handedOver = new ArrayList<>();

    private int poll(final long nowNs)
    {
        return timers.pollDue(nowNs, (correlationId, deadlineNs) ->
        {
            handedOver.add(correlationId + "@" + deadlineNs);
            return true;
        }, 100);
    }

    @Test
    void handsOverDueTimersEarliestFirstAndOnceUntilRebuilt()
    {
        assertTrue(timers.schedule(3, 300));
        assertTrue(timers.schedule(1, 100));
        assertTrue(timers.schedule(2, 100));
        assertEquals(0, poll(99));
        assertEquals(2, poll(100));
        assertEquals(List.of("1@100", "2@100"), handedOver, "ties in correlation id order");
        assertEquals(0, poll(200), "handed over once");
        assertEquals(3, timers.size(), "handing over fires nothing: only applying a timer entry does");

        timers.rebuildHeap();
        assertEquals(2, poll(200), "a new leader proposes again what is due");
        assertEquals(List.of("1@100", "2@100", "1@100", "2@100"), handedOver);
    }

    @Test
    void firesOnlyATimerStillScheduledWithTheDeadlineTheEntryNames()
    {
        timers.schedule(1, 100);
        timers.schedule(2, 100);
        assertTrue(timers.fire(1, 100));
        assertFalse(timers.fire(1, 100), "fired already");
        assertTrue(timers.schedule(2, 500), "moved");
        assertFalse(timers.fire(2, 100), "an entry for the old deadline does not fire the moved timer");
        assertTrue(timers.cancel(2));
        assertFalse(timers.fire(2, 500), "cancelled before its entry applied: never fires");
        assertFalse(timers.cancel(2));
        assertEquals(0, timers.size());
    }

    @Test
    void aMovedOrCancelledTimerLeavesNoDueSlotBehind()
    {
        timers.schedule(1, 100);
        timers.schedule(1, 400);
        timers.schedule(2, 100);
        timers.cancel(2);
        assertEquals(0, poll(300));
        assertEquals(1, poll(400));
        assertEquals(List.of("1@400"), handedOver);
    }

    @Test
    void isBoundedAndKeepsWorkingThroughHeapRebuilds()
    {
        for (int i = 0; i < 4; i++)
        {
            assertTrue(timers.schedule(i, 1000 + i));
        }
        assertFalse(timers.schedule(9, 1), "full");
        assertTrue(timers.schedule(2, 5), "moving an existing timer needs no room");
        for (int round = 0; round < 100; round++)
        {
            // Churn fills the heap with stale slots: it is rebuilt from the map, never grown.
            assertTrue(timers.schedule(3, 2000 + round));
        }
        assertEquals(4, timers.size());
        assertEquals(3, poll(1001));
        assertEquals(List.of("2@5", "0@1000", "1@1001"), handedOver);
        assertThrows(IllegalArgumentException.class, () -> new TimerTable(0));
    }
}
