package io.raftline.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;

/**
 * Diagnostic: prints every record of a log journal (cycle, offset, type, fields) without opening the log.
 * Usage: java (JVM flags) -cp (test class path) io.raftline.log.JournalDump (directory)
 */
public final class JournalDump
{
    private JournalDump()
    {
    }

    public static void main(final String[] args)
    {
        final JournalRecords records = new JournalRecords();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(new File(args[0]))
            .rollCycle(RollCycles.FAST_DAILY).readOnly(true).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = context.wire().bytes();
                    final long start = bytes.readPosition();
                    final int documentLength = (int)bytes.readRemaining();
                    final long address = bytes.addressForRead(start, documentLength);
                    int offset = 0;
                    int type = JournalRecords.BASE;
                    while (offset < documentLength && JournalRecords.INVALID != type)
                    {
                        final int length = records.recordLength(address + offset, documentLength - offset);
                        type = records.decode(address + offset, length);
                        final String name = new String[]{"INVALID", "ENTRY", "TRUNCATE", "BASE"}[type];
                        System.out.println(queue.rollCycle().toCycle(context.index()) + " " + (start + offset) +
                            " " + name + " " + records.index() + " " + records.term() +
                            (type == JournalRecords.INVALID ? " " + records.error() : ""));
                        offset += length;
                    }
                }
            }
        }
    }
}
