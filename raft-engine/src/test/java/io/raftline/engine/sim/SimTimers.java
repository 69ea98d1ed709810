package io.raftline.engine.sim;

import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.TimerEntryDecoder;
import io.raftline.codecs.TimerEntryEncoder;
import io.raftline.engine.agent.TimerTable;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulator's service timers: every member runs the production {@link TimerTable} over the commands it applies
 * and proposes the production timer entry (SBE {@code TimerEntry}) as leader; this class encodes the commands and
 * checks, across all members, incarnations, replays and restores:
 * <ul>
 *     <li>a timer fires at a cluster time at or after its deadline;</li>
 *     <li>a timer fires at one index, the same on every member and in every replay (and so once);</li>
 *     <li>a member that restores a snapshot holds the timers the member that took it held at its index;</li>
 *     <li>after healing, no timer stays overdue.</li>
 * </ul>
 */
final class SimTimers
{
    // A command is a timer command only with this exact length and prefix: a random command matches with 2^-64.
    static final int COMMAND_LENGTH = 25;
    private static final long MAGIC = 0x53494D54494D4552L;
    private static final byte SCHEDULE = 1;
    private static final byte CANCEL = 2;

    private final Simulation sim;
    private final Map<Long, Long> firedAt = new HashMap<>();
    private final Map<Long, Long> digestAt = new HashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final TimerEntryDecoder timerDecoder = new TimerEntryDecoder();
    private long fired;
    private long scheduled;

    SimTimers(final Simulation sim)
    {
        this.sim = sim;
    }

    long fired()
    {
        return fired;
    }

    long scheduled()
    {
        return scheduled;
    }

    static byte[] schedule(final long correlationId, final long delayNs)
    {
        return command(SCHEDULE, correlationId, delayNs);
    }

    static byte[] cancel(final long correlationId)
    {
        return command(CANCEL, correlationId, 0);
    }

    private static byte[] command(final byte kind, final long correlationId, final long value)
    {
        return ByteBuffer.allocate(COMMAND_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(MAGIC).put(kind).putLong(correlationId).putLong(value).array();
    }

    /**
     * @return the leader's timer entry for a due timer.
     */
    static int encodeTimerEntry(
        final ExpandableArrayBuffer buffer, final long correlationId, final long deadlineNs)
    {
        new TimerEntryEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId).deadline(deadlineNs);
        return MessageHeaderEncoder.ENCODED_LENGTH + TimerEntryEncoder.BLOCK_LENGTH;
    }

    /**
     * Apply an entry to a member's timers, if it is a timer command or a timer entry.
     */
    void apply(
        final SimNode node,
        final TimerTable timers,
        final long index,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (COMMAND_LENGTH == length && MAGIC == buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN))
        {
            final byte kind = buffer.getByte(offset + 8);
            final long correlationId = buffer.getLong(offset + 9, ByteOrder.LITTLE_ENDIAN);
            if (SCHEDULE == kind)
            {
                final long delayNs = buffer.getLong(offset + 17, ByteOrder.LITTLE_ENDIAN);
                if (timers.schedule(correlationId, timestamp + delayNs))
                {
                    scheduled++;
                }
            }
            else if (CANCEL == kind)
            {
                timers.cancel(correlationId);
            }
        }
        else if (length == MessageHeaderEncoder.ENCODED_LENGTH + TimerEntryEncoder.BLOCK_LENGTH)
        {
            headerDecoder.wrap(buffer, offset);
            if (TimerEntryDecoder.TEMPLATE_ID == headerDecoder.templateId() &&
                TimerEntryDecoder.SCHEMA_ID == headerDecoder.schemaId())
            {
                timerDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                    headerDecoder.version());
                final long correlationId = timerDecoder.correlationId();
                // The deadline the timer has, not the one the entry names: a moved timer must not fire early.
                final long deadlineNs = timers.deadlineOf(correlationId);
                if (timers.fire(correlationId, timerDecoder.deadline()))
                {
                    onFire(node, index, correlationId, deadlineNs, timestamp);
                }
            }
        }
    }

    private void onFire(
        final SimNode node, final long index, final long correlationId, final long deadlineNs, final long timestamp)
    {
        if (timestamp < deadlineNs)
        {
            throw sim.failure("timer " + correlationId + " fired on member " + node.id() + " at index " + index +
                " at cluster time " + timestamp + ", before its deadline " + deadlineNs);
        }
        // A timer moved after it fired is a new timer with the same id: a firing is (id, deadline).
        final Long previous = firedAt.putIfAbsent(Hashing.chain(correlationId, deadlineNs), index);
        if (null == previous)
        {
            fired++;
        }
        else if (previous != index)
        {
            throw sim.failure("timer " + correlationId + " fired at index " + index + " on member " + node.id() +
                " but at index " + previous + " before (another member or an earlier replay)");
        }
    }

    /**
     * A member took a snapshot of its timers after applying {@code index} (every member that does must agree).
     */
    void onSnapshot(final SimNode node, final long index, final TimerTable timers)
    {
        checkDigest(node, index, digest(timers), "when it took a snapshot at");
    }

    /**
     * A member restored its timers from a snapshot at {@code index}.
     */
    void onRestore(final SimNode node, final long index, final TimerTable timers)
    {
        checkDigest(node, index, digest(timers), "restored from a snapshot at");
    }

    private void checkDigest(final SimNode node, final long index, final long digest, final String when)
    {
        final Long expected = digestAt.putIfAbsent(index, digest);
        if (null != expected && expected != digest)
        {
            throw sim.failure("member " + node.id() + " holds other timers " + when + " index " + index +
                " than another member held when it took a snapshot there");
        }
    }

    /**
     * After healing and a quiet period: no member holds a timer overdue by more than {@code slackNs} of the leader's
     * cluster time.
     */
    void checkNothingOverdue(final SimNode node, final TimerTable timers, final long clusterNowNs, final long slackNs)
    {
        timers.forEach((correlationId, deadlineNs) ->
        {
            if (deadlineNs < clusterNowNs - slackNs)
            {
                throw sim.failure("timer " + correlationId + " on member " + node.id() + " is overdue: deadline " +
                    deadlineNs + ", cluster time " + clusterNowNs + ", and it never fired");
            }
            return true;
        });
    }

    static long digest(final TimerTable timers)
    {
        final long[] sum = {timers.size()};
        timers.forEach((correlationId, deadlineNs) ->
        {
            sum[0] += Hashing.chain(correlationId, deadlineNs);
            return true;
        });
        return sum[0];
    }
}
