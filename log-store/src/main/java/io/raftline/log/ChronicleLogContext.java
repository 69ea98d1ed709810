package io.raftline.log;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Settings of a {@link ChronicleRaftLog}, in the manner of an Aeron {@code Context}: fluent setters, defaults from
 * system properties, and {@link #conclude()} to validate them against each other before use.
 */
public final class ChronicleLogContext
{
    /**
     * Directory of the log's files.
     */
    public static final String DIRECTORY_PROP_NAME = "raftline.log.dir";

    /**
     * Durability level: none, batch or each.
     */
    public static final String DURABILITY_PROP_NAME = "raftline.log.durability";

    /**
     * A segment (one Chronicle roll-cycle file) is closed once this many bytes are written into it.
     */
    public static final String SEGMENT_LENGTH_PROP_NAME = "raftline.log.segment.length";

    /**
     * Chronicle's block size: the unit in which files are mapped. A quarter of it bounds one record.
     */
    public static final String BLOCK_LENGTH_PROP_NAME = "raftline.log.block.length";

    /**
     * Largest payload an entry may carry.
     */
    public static final String MAX_ENTRY_LENGTH_PROP_NAME = "raftline.log.max.entry.length";

    /**
     * How long Chronicle waits for a record header left incomplete by a writer before declaring the writer dead.
     */
    public static final String TORN_RECORD_TIMEOUT_PROP_NAME = "raftline.log.torn.record.timeout.ms";

    /**
     * System property for {@link #pretouchLength(long)}.
     */
    public static final String PRETOUCH_LENGTH_PROP_NAME = "raftline.log.pretouch.length";

    /**
     * Default pretouch length: 32 MiB ahead of the appender, about half a second of appends at full speed here.
     */
    public static final long PRETOUCH_LENGTH_DEFAULT = 32L * 1024 * 1024;

    /**
     * Default durability.
     */
    public static final Durability DURABILITY_DEFAULT = Durability.BATCH;

    /**
     * Default segment length: 256 MiB. Starting a segment (a new Chronicle cycle file) costs 5-10 ms on this
     * machine's ext4; at 256 MiB that is under 5% of the append time even for small entries, while compaction still
     * frees space in reasonable steps.
     */
    public static final long SEGMENT_LENGTH_DEFAULT = 256L * 1024 * 1024;

    /**
     * Default block length: 64 MiB, Chronicle's own default, so records of up to 16 MiB fit.
     */
    public static final long BLOCK_LENGTH_DEFAULT = 64L * 1024 * 1024;

    /**
     * Default largest entry payload: 1 MiB.
     */
    public static final int MAX_ENTRY_LENGTH_DEFAULT = 1024 * 1024;

    /**
     * Default torn-record timeout: 100 ms. The log holds an OS lock on its directory, so an incomplete header can
     * only have been left by a dead process; there is no live writer to wait for.
     */
    public static final long TORN_RECORD_TIMEOUT_MS_DEFAULT = 100;

    private Path directory;
    private Durability durability;
    private long segmentLength;
    private long blockLength;
    private int maxEntryLength;
    private long tornRecordTimeoutMs;
    private long pretouchLength;
    private int initialIndexCapacity = 64 * 1024;
    private boolean isConcluded;

    /**
     * Settings with their defaults, taken from system properties where set.
     */
    public ChronicleLogContext()
    {
        final String dir = System.getProperty(DIRECTORY_PROP_NAME);
        directory = null == dir ? null : Paths.get(dir);
        durability = Durability.parse(System.getProperty(DURABILITY_PROP_NAME, DURABILITY_DEFAULT.name()));
        segmentLength = Long.getLong(SEGMENT_LENGTH_PROP_NAME, SEGMENT_LENGTH_DEFAULT);
        blockLength = Long.getLong(BLOCK_LENGTH_PROP_NAME, BLOCK_LENGTH_DEFAULT);
        maxEntryLength = Integer.getInteger(MAX_ENTRY_LENGTH_PROP_NAME, MAX_ENTRY_LENGTH_DEFAULT);
        tornRecordTimeoutMs = Long.getLong(TORN_RECORD_TIMEOUT_PROP_NAME, TORN_RECORD_TIMEOUT_MS_DEFAULT);
        pretouchLength = Long.getLong(PRETOUCH_LENGTH_PROP_NAME, PRETOUCH_LENGTH_DEFAULT);
    }

    /**
     * Check the settings against each other. Called by {@link ChronicleRaftLog#open(ChronicleLogContext)}.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException naming the conflicting values.
     */
    public ChronicleLogContext conclude()
    {
        if (null == directory)
        {
            throw new IllegalStateException("directory is not set (" + DIRECTORY_PROP_NAME + ")");
        }
        if (null == durability)
        {
            throw new IllegalStateException("durability is not set (" + DURABILITY_PROP_NAME + ")");
        }
        if (blockLength < 256 * 1024)
        {
            throw new IllegalStateException("blockLength=" + blockLength + " is below 256 KiB");
        }
        if (segmentLength < 4096)
        {
            throw new IllegalStateException("segmentLength=" + segmentLength + " is below 4 KiB");
        }
        final long largestRecord = blockLength / 4 - JournalRecords.ENTRY_PAYLOAD_OFFSET;
        if (maxEntryLength < 0 || maxEntryLength > largestRecord)
        {
            throw new IllegalStateException("maxEntryLength=" + maxEntryLength +
                " does not fit a quarter of blockLength=" + blockLength + " (at most " + largestRecord + ")");
        }
        if (tornRecordTimeoutMs < 1)
        {
            throw new IllegalStateException("tornRecordTimeoutMs=" + tornRecordTimeoutMs + " must be positive");
        }
        if (0 != pretouchLength && pretouchLength < 4096)
        {
            throw new IllegalStateException("pretouchLength=" + pretouchLength + " must be 0 (off) or at least 4096");
        }
        isConcluded = true;
        return this;
    }

    boolean isConcluded()
    {
        return isConcluded;
    }

    /**
     * @param directory of the log's files, created if absent.
     * @return this for a fluent API.
     */
    public ChronicleLogContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @return the directory of the log's files.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param durability how hard appends are forced to disk.
     * @return this for a fluent API.
     */
    public ChronicleLogContext durability(final Durability durability)
    {
        this.durability = durability;
        return this;
    }

    /**
     * @return how hard appends are forced to disk.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @param segmentLength bytes after which the log starts a new segment file; compaction deletes whole segments.
     * @return this for a fluent API.
     */
    public ChronicleLogContext segmentLength(final long segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    /**
     * @return bytes after which the log starts a new segment file.
     */
    public long segmentLength()
    {
        return segmentLength;
    }

    /**
     * @param pretouchLength bytes ahead of the appender whose pages a background thread touches, so the appender does
     *                       not pay for the first write to a fresh page (see SegmentPretoucher); 0 turns it off.
     * @return this for a fluent API.
     */
    public ChronicleLogContext pretouchLength(final long pretouchLength)
    {
        this.pretouchLength = pretouchLength;
        return this;
    }

    /**
     * @return bytes ahead of the appender that are pretouched; 0 when off.
     */
    public long pretouchLength()
    {
        return pretouchLength;
    }

    /**
     * @param blockLength Chronicle's mapping unit in bytes; a record must fit in a quarter of it.
     * @return this for a fluent API.
     */
    public ChronicleLogContext blockLength(final long blockLength)
    {
        this.blockLength = blockLength;
        return this;
    }

    /**
     * @return Chronicle's mapping unit in bytes.
     */
    public long blockLength()
    {
        return blockLength;
    }

    /**
     * @param maxEntryLength largest payload an entry may carry, in bytes.
     * @return this for a fluent API.
     */
    public ChronicleLogContext maxEntryLength(final int maxEntryLength)
    {
        this.maxEntryLength = maxEntryLength;
        return this;
    }

    /**
     * @return largest payload an entry may carry, in bytes.
     */
    public int maxEntryLength()
    {
        return maxEntryLength;
    }

    /**
     * @param tornRecordTimeoutMs how long to wait for an incomplete record header before overwriting it.
     * @return this for a fluent API.
     */
    public ChronicleLogContext tornRecordTimeoutMs(final long tornRecordTimeoutMs)
    {
        this.tornRecordTimeoutMs = tornRecordTimeoutMs;
        return this;
    }

    /**
     * @return how long to wait for an incomplete record header before overwriting it.
     */
    public long tornRecordTimeoutMs()
    {
        return tornRecordTimeoutMs;
    }

    /**
     * @param initialIndexCapacity entries the off-heap index holds before it first grows.
     * @return this for a fluent API.
     */
    public ChronicleLogContext initialIndexCapacity(final int initialIndexCapacity)
    {
        this.initialIndexCapacity = initialIndexCapacity;
        return this;
    }

    /**
     * @return entries the off-heap index holds before it first grows.
     */
    public int initialIndexCapacity()
    {
        return initialIndexCapacity;
    }
}
