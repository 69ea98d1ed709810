package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.Random;

/**
 * Child process of {@link ChronicleRaftLogCrashTest}: opens the log, then mutates it forever until it is killed.
 * Before each mutation it prints {@code OP <n> A <index> <term>}, {@code OP <n> T <lastKept>} or
 * {@code OP <n> C <base>}; after each {@link RaftLog#sync()} it prints {@code SYNCED <n>}, meaning every operation
 * up to n is durable. Payloads are a function of (index, term), so the parent can check every byte.
 * <p>
 * Arguments: directory, durability, number of the first operation, seed, and whether to start each next segment
 * ahead from this thread as well as the pretoucher's ({@code true}: then most segments start by a swap of
 * appenders; it prints {@code STARTS <n>}, how many did so far, after each sync that follows one).
 */
public final class CrashLogWriter
{
    private CrashLogWriter()
    {
    }

    public static void main(final String[] args)
    {
        final ChronicleLogContext context = CrashWorkload.context(Paths.get(args[0]), Durability.parse(args[1]));
        long op = Long.parseLong(args[2]);
        final Random random = new Random(Long.parseLong(args[3]));
        final PrintStream out = new PrintStream(System.out, false);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[CrashWorkload.MAX_PAYLOAD]);
        final boolean isStartingAhead = args.length > 4 && Boolean.parseBoolean(args[4]);
        try (ChronicleRaftLog log = ChronicleRaftLog.open(context))
        {
            int startedAheadFor = Integer.MIN_VALUE;
            long starts = 0;
            out.println("READY " + log.baseIndex() + " " + log.lastIndex() + " " + log.lastTerm());
            out.flush();
            while (true)
            {
                final int dice = random.nextInt(100);
                if (dice < 90)
                {
                    final int count = 1 + random.nextInt(16);
                    for (int i = 0; i < count; i++)
                    {
                        final long index = log.lastIndex() + 1;
                        final long term = log.lastTerm() + (random.nextInt(50) == 0 ? 1 : 0);
                        final int length = CrashWorkload.fillPayload(payload, index, term);
                        announce(out, op++, "A " + index + " " + term);
                        log.append(term, payload, 0, length);
                    }
                }
                else if (dice < 95 && log.lastIndex() > log.baseIndex())
                {
                    final long keep = Math.max(log.baseIndex(), log.lastIndex() - 1 - random.nextInt(8));
                    announce(out, op++, "T " + keep);
                    log.truncateAfter(keep);
                }
                else if (log.lastIndex() - log.baseIndex() > 400)
                {
                    final long base = log.lastIndex() - 100 - random.nextInt(200);
                    announce(out, op++, "C " + base);
                    log.compactTo(base);
                }
                log.sync();
                out.println("SYNCED " + (op - 1));
                if (isStartingAhead && log.journalCycle() != startedAheadFor && log.lastIndex() > log.baseIndex())
                {
                    // After the segment's first write (the new segment exists); the successor may be refused
                    // (compacted away, or the spare is the pretoucher's now): then the next segment rolls.
                    startedAheadFor = log.journalCycle();
                    log.nextSegment().create(startedAheadFor + 1);
                    if (log.preparedSegmentStarts() != starts)
                    {
                        starts = log.preparedSegmentStarts();
                        out.println("STARTS " + starts);
                    }
                }
                out.flush();
            }
        }
    }

    private static void announce(final PrintStream out, final long op, final String text)
    {
        out.println("OP " + op + " " + text);
        out.flush();
    }
}
