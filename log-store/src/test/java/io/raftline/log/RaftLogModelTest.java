package io.raftline.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Model-based test: long random seeded sequences of append / truncate / compact / reset / sync / close-and-reopen
 * run against {@link ChronicleRaftLog} and {@link InMemoryRaftLog} at once, and every read is compared.
 * <p>
 * Properties: {@code raftline.model.seeds} (how many seeds, default 10), {@code raftline.model.ops} (operations per
 * seed, default 2500), {@code raftline.model.seed} (run that one seed only). A failure prints its replay command.
 */
class RaftLogModelTest
{
    private static final int SEEDS = Integer.getInteger("raftline.model.seeds", 10);
    private static final int OPS = Integer.getInteger("raftline.model.ops", 2500);
    private static final Long ONE_SEED = Long.getLong("raftline.model.seed");
    private static final int MAX_PAYLOAD = 300;

    @TempDir
    Path tempDir;

    @TestFactory
    List<DynamicTest> chronicleLogBehavesLikeTheInMemoryModel()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        if (null != ONE_SEED)
        {
            tests.add(DynamicTest.dynamicTest("seed " + ONE_SEED, () -> run(ONE_SEED, OPS)));
            return tests;
        }
        final long baseSeed = 0x5EED_0000L + Long.getLong("raftline.model.baseSeed", 0L);
        for (int i = 0; i < SEEDS; i++)
        {
            final long seed = baseSeed + i;
            tests.add(DynamicTest.dynamicTest("seed " + seed, () -> run(seed, OPS)));
        }
        return tests;
    }

    private void run(final long seed, final int ops) throws IOException
    {
        final Path dir = Files.createTempDirectory(tempDir, "model-" + seed);
        final ModelRun run = new ModelRun(seed, dir);
        try
        {
            for (int op = 0; op < ops; op++)
            {
                run.step(op);
            }
            run.reopen();
            run.compareAll("final reopen");
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("model test failed for seed " + seed + " at operation " + run.opNumber +
                " (" + run.lastOp + "): " + ex.getMessage() + "\nreplay: mvn -q -pl log-store -am verify" +
                " -Dtest=RaftLogModelTest -Dsurefire.failIfNoSpecifiedTests=false -Draftline.model.seed=" + seed +
                " -Draftline.model.ops=" + ops, ex);
        }
        finally
        {
            run.close();
        }
    }

    private static final class ModelRun
    {
        private final Random random;
        private final Path dir;
        private final Durability durability;
        private final InMemoryRaftLog model = new InMemoryRaftLog(false);
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[MAX_PAYLOAD]);
        private final LogEntryView expectedView = new LogEntryView();
        private final LogEntryView actualView = new LogEntryView();
        private ChronicleRaftLog log;
        private int opNumber;
        private String lastOp = "open";

        ModelRun(final long seed, final Path dir)
        {
            this.random = new Random(seed);
            this.dir = dir;
            // EACH forces every operation to disk, which costs a millisecond on this machine: one seed in five.
            final int choice = (int)Math.floorMod(seed, 5L);
            this.durability = choice < 2 ? Durability.NONE : (choice < 4 ? Durability.BATCH : Durability.EACH);
            this.log = ChronicleRaftLog.open(context());
        }

        ChronicleLogContext context()
        {
            return new ChronicleLogContext()
                .directory(dir)
                .durability(durability)
                .segmentLength(4096)
                .blockLength(256 * 1024)
                .maxEntryLength(MAX_PAYLOAD)
                .initialIndexCapacity(16);
        }

        void step(final int op)
        {
            opNumber = op;
            final int dice = random.nextInt(100);
            if (dice < 55)
            {
                appendBatch();
            }
            else if (dice < 65)
            {
                truncate();
            }
            else if (dice < 73)
            {
                compact();
            }
            else if (dice < 76)
            {
                reset();
            }
            else if (dice < 90)
            {
                lastOp = "sync";
                log.sync();
                model.sync();
            }
            else if (dice < 94)
            {
                reopen();
            }
            else
            {
                lastOp = "read";
            }
            compareSample();
        }

        void appendBatch()
        {
            final int count = 1 + random.nextInt(8);
            lastOp = "append x" + count;
            for (int i = 0; i < count; i++)
            {
                final long term = model.lastTerm() + (random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0);
                final int length = random.nextInt(10) == 0 ? 0 : random.nextInt(MAX_PAYLOAD + 1);
                final int offset = length == 0 ? 0 : random.nextInt(MAX_PAYLOAD - length + 1);
                for (int b = 0; b < length; b++)
                {
                    payload.putByte(offset + b, (byte)random.nextInt());
                }
                // Half the entries unstamped (the default append), half with a cluster time.
                final long timestamp = random.nextBoolean() ? RaftLog.NO_TIMESTAMP : random.nextLong();
                final long expected = model.append(term, timestamp, payload, offset, length);
                final long actual = RaftLog.NO_TIMESTAMP == timestamp ?
                    log.append(term, payload, offset, length) : log.append(term, timestamp, payload, offset, length);
                check(expected == actual, "append returned " + actual + ", model " + expected);
            }
        }

        void truncate()
        {
            if (model.lastIndex() == model.baseIndex())
            {
                lastOp = "truncate skipped";
                return;
            }
            final long index = model.baseIndex() + nextLong(model.lastIndex() - model.baseIndex() + 1);
            lastOp = "truncateAfter(" + index + ")";
            model.truncateAfter(index);
            log.truncateAfter(index);
        }

        void compact()
        {
            final long span = model.lastIndex() - model.baseIndex();
            final long index = model.baseIndex() + (span == 0 ? 0 : nextLong(span + 1));
            lastOp = "compactTo(" + index + ")";
            model.compactTo(index);
            log.compactTo(index);
        }

        void reset()
        {
            final long low = Math.max(0, model.baseIndex() - 5);
            final long baseIndex = low + nextLong(model.lastIndex() + 6 - low);
            final long baseTerm = Math.max(0, model.lastTerm() - 1 + random.nextInt(4));
            lastOp = "reset(" + baseIndex + ", " + baseTerm + ")";
            model.reset(baseIndex, baseTerm);
            log.reset(baseIndex, baseTerm);
        }

        void reopen()
        {
            lastOp = "close and reopen";
            log.close();
            log = null;
            log = ChronicleRaftLog.open(context());
            compareAll("after reopen");
        }

        void compareSample()
        {
            compareBounds();
            final long base = model.baseIndex();
            final long last = model.lastIndex();
            for (long index = Math.max(0, base - 2); index <= Math.min(last + 2, base + 3); index++)
            {
                compareEntry(index);
            }
            for (long index = Math.max(0, last - 3); index <= last + 2; index++)
            {
                compareEntry(index);
            }
            for (int i = 0; i < 8 && last > base; i++)
            {
                compareEntry(base + 1 + nextLong(last - base));
            }
        }

        void compareAll(final String when)
        {
            lastOp = lastOp + ", " + when;
            compareBounds();
            for (long index = Math.max(0, model.baseIndex() - 2); index <= model.lastIndex() + 2; index++)
            {
                compareEntry(index);
            }
        }

        void compareBounds()
        {
            check(model.baseIndex() == log.baseIndex(), "baseIndex " + log.baseIndex() + " vs " + model.baseIndex());
            check(model.baseTerm() == log.baseTerm(), "baseTerm " + log.baseTerm() + " vs " + model.baseTerm());
            check(model.lastIndex() == log.lastIndex(), "lastIndex " + log.lastIndex() + " vs " + model.lastIndex());
            check(model.lastTerm() == log.lastTerm(), "lastTerm " + log.lastTerm() + " vs " + model.lastTerm());
        }

        void compareEntry(final long index)
        {
            check(model.termAt(index) == log.termAt(index),
                "termAt(" + index + ") " + log.termAt(index) + ", model " + model.termAt(index));
            final boolean expectedFound = model.read(index, expectedView);
            final boolean actualFound = log.read(index, actualView);
            check(expectedFound == actualFound, "read(" + index + ") found " + actualFound + " vs " + expectedFound);
            if (expectedFound)
            {
                check(expectedView.term() == actualView.term(), "read(" + index + ").term " + actualView.term());
                check(expectedView.index() == actualView.index(), "read(" + index + ").index " + actualView.index());
                check(expectedView.timestamp() == actualView.timestamp(),
                    "read(" + index + ").timestamp " + actualView.timestamp() + ", model " + expectedView.timestamp());
                check(expectedView.length() == actualView.length(),
                    "read(" + index + ").length " + actualView.length() + ", model " + expectedView.length());
                for (int i = 0; i < expectedView.length(); i++)
                {
                    final byte expected = expectedView.buffer().getByte(expectedView.offset() + i);
                    final byte actual = actualView.buffer().getByte(actualView.offset() + i);
                    check(expected == actual, "read(" + index + ") payload differs at byte " + i);
                }
            }
        }

        long nextLong(final long bound)
        {
            return (long)(random.nextDouble() * bound);
        }

        void close()
        {
            if (null != log)
            {
                log.close();
            }
        }

        private static void check(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new AssertionError(message);
            }
        }
    }
}
