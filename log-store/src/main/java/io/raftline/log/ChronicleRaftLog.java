package io.raftline.log;

import net.openhft.chronicle.core.io.ReferenceOwner;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.AbstractTSQueueLock;
import net.openhft.chronicle.threads.BusyTimedPauser;
import net.openhft.chronicle.bytes.SyncMode;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The durable {@link RaftLog}: a journal of SBE records in a memory-mapped Chronicle Queue, read back through an
 * off-heap index.
 * <p>
 * <b>Why a journal with markers.</b> Chronicle Queue is append-only: it has no way to cut its tail, and rewriting an
 * existing excerpt is silently ignored. Raft must nevertheless drop a follower's conflicting suffix. Own segment
 * files would mean re-implementing what Chronicle does well (mapping, rolling, pre-touching, torn-header handling),
 * so the log keeps Chronicle and makes truncation logical: the queue is a journal of {@code LogEntry} records and
 * two markers, {@code LogTruncate(lastKeptIndex)} (entries above it written earlier are void) and
 * {@code LogBase(baseIndex, baseTerm)} (a snapshot covers everything up to it). The state the log serves lives in
 * an off-heap {@link EntryIndex} from Raft index to the address of the entry's record in the mapped file (term and
 * length are read from the record); one scan of the journal rebuilds it on open ({@link JournalScanner},
 * {@link JournalReplay}). Truncation appends a marker and moves the index's end; a re-append after it simply
 * overwrites the index slots. Reads and term lookups touch only the index and the mapped bytes: no Chronicle
 * tailer, no copy, no allocation. A view filled by {@link #read(long, LogEntryView)} stays valid until compaction
 * or a reset deletes its segment, or the log closes (longer than {@link RaftLog} promises).
 * <p>
 * <b>Recovery.</b> A record a crash left half-written ends the journal and is dropped; a record that fails its
 * checksum anywhere but at the very end, a truncated or missing segment, or a journal with no base marker is
 * reported as {@link LogCorruptionException} with file and offset, and the log does not open
 * ({@link JournalScanner} has the rules).
 * <p>
 * <b>Segments.</b> Chronicle rolls files by time; this log drives the roll clock itself ({@link SegmentClock}): a
 * new file when the current one passes {@link ChronicleLogContext#segmentLength()} bytes, and a new file at every
 * open, so a torn record is always the last of its file. After {@link #compactTo(long)} the whole files that hold
 * nothing after the base are deleted; the {@code LogBase} marker written first keeps the base index and term
 * durable. Each file's chunks stay mapped while the log may hand out views into them ({@link Segment}).
 * <p>
 * <b>Durability.</b> The records written between two syncs share one Chronicle document, completed by
 * {@link #sync()} (see {@link JournalAppender}); whatever the level, what a process crash keeps is what was synced.
 * {@link Durability#NONE}: synced writes stay in the page cache (they survive the process, not the machine).
 * {@link Durability#BATCH}: {@link #sync()} forces every segment written since the last sync (fdatasync) and the
 * directory when files were created or deleted. {@link Durability#EACH}: every mutation does
 * that before it returns. With {@code BATCH} and {@code EACH}, compaction forces the marker before it deletes files;
 * with {@code NONE} it forces nothing (forcing a segment's worth of dirty pages stalled the agent for half a second,
 * and a log that need not survive the machine needs no force to survive the process).
 * <p>
 * Single-threaded: the member's agent thread owns the log. The directory is locked against other processes.
 */
public final class ChronicleRaftLog implements RaftLog
{
    private static final String LOCK_FILE = "raftline-log.lock";

    private final ChronicleLogContext context;
    private final Durability durability;
    private final int maxEntryLength;
    private final DirectoryLock directoryLock;
    private final SingleChronicleQueue queue;
    private final SegmentClock clock;
    private final LogSegments segments;
    private final EntryIndex entries;
    private final JournalAppender journal;
    private final SegmentPretoucher pretoucher;
    private final SegmentPretoucher.NextSegment nextSegment;
    private final Path droppedTornRecordFile;
    private final long droppedTornRecordPosition;
    private long baseIndex;
    private long baseTerm;
    private boolean isDirty;
    private boolean isClosed;
    private long syncCount;

    private ChronicleRaftLog(final ChronicleLogContext context, final DirectoryLock directoryLock)
    {
        this.context = context;
        this.durability = context.durability();
        this.maxEntryLength = context.maxEntryLength();
        this.directoryLock = directoryLock;
        this.clock = new SegmentClock(RollCycles.FAST_DAILY.lengthInMillis());
        this.segments = new LogSegments(context.directory(), ReferenceOwner.temporary("raftline-log"));
        this.entries = new EntryIndex(context.initialIndexCapacity());

        SingleChronicleQueue queue = null;
        JournalAppender journal = null;
        SegmentPretoucher pretoucher = null;
        try
        {
            queue = SingleChronicleQueueBuilder.single(context.directory().toFile())
                .rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(clock)
                .blockSize(context.blockLength())
                .timeoutMS(context.tornRecordTimeoutMs())
                .syncMode(SyncMode.NONE)
                .build();
            checkRecordFits(queue);
            final int lastCycle = queue.lastCycle();
            clock.cycle(lastCycle < 0 ? 0 : lastCycle + 1);

            final JournalRecords records = new JournalRecords();
            final JournalReplay replay = new JournalReplay(entries);
            final JournalScanner scanner = new JournalScanner(queue, records, replay, segments);
            scanner.scan();
            // The scan may have discarded a newest segment left unfinished by a crash: reuse its cycle number so
            // that the cycles on disk stay contiguous.
            final int lastKeptCycle = queue.lastCycle();
            clock.cycle(lastKeptCycle < 0 ? 0 : lastKeptCycle + 1);
            baseIndex = replay.baseIndex();
            baseTerm = replay.baseTerm();

            clearLocksOfDeadWriters(queue);
            final SingleChronicleQueue journalQueue = queue;
            // The pretoucher's thread starts the next segment ahead: it moves the journal's spare appender there
            // or, when the spare is not free, only makes the file. It acts only once the journal has written
            // (published) a segment, so after the journal below is assigned.
            nextSegment = (cycle) -> segments.createAhead(cycle, (ahead) -> startAhead(journalQueue, ahead));
            if (0 != context.pretouchLength())
            {
                // It also deletes compacted segments, and then refreshes Chronicle's listing of the directory.
                pretoucher = new SegmentPretoucher(context.directory(), context.pretouchLength(),
                    context.segmentLength(), nextSegment, segments, journalQueue::refreshDirectoryListing);
            }
            journal = new JournalAppender(
                queue.createAppender(), queue.createAppender(), clock, segments, records, context.segmentLength(),
                pretoucher);
            droppedTornRecordFile = scanner.tornTailFile();
            droppedTornRecordPosition = scanner.tornTailPosition();
            if (null != droppedTornRecordFile)
            {
                // Tells the next scan that the damaged record before this segment was dropped on purpose.
                journal.appendTruncate(replay.lastIndex());
                isDirty = true;
            }
            if (!replay.hasStarted())
            {
                journal.appendBase(0, 0);
                isDirty = true;
            }
        }
        catch (final RuntimeException ex)
        {
            if (null != pretoucher)
            {
                pretoucher.close();
            }
            segments.close();
            entries.close();
            if (null != journal)
            {
                journal.close();
            }
            if (null != queue)
            {
                queue.close();
            }
            throw ex;
        }
        this.queue = queue;
        this.journal = journal;
        this.pretoucher = pretoucher;
        journal.commit();
        if (isDirty && Durability.NONE != durability)
        {
            forceToDisk();
        }
    }

    /**
     * Open (or create) the log in a directory, recovering it from whatever a crash left.
     *
     * @param context settings; concluded here if not yet.
     * @return the open log.
     * @throws LogCorruptionException if the files on disk cannot be trusted.
     * @throws IllegalStateException  if another process or open log holds the directory.
     */
    public static ChronicleRaftLog open(final ChronicleLogContext context)
    {
        if (!context.isConcluded())
        {
            context.conclude();
        }
        try
        {
            Files.createDirectories(context.directory());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + context.directory(), ex);
        }
        final DirectoryLock lock = DirectoryLock.acquire(context.directory().resolve(LOCK_FILE));
        try
        {
            return new ChronicleRaftLog(context, lock);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * @return the settings this log was opened with.
     */
    public ChronicleLogContext context()
    {
        return context;
    }

    /**
     * @return the file of a torn last record that opening dropped, or null if there was none.
     */
    public Path droppedTornRecordFile()
    {
        return droppedTornRecordFile;
    }

    /**
     * @return the offset of the dropped torn record in {@link #droppedTornRecordFile()}.
     */
    public long droppedTornRecordPosition()
    {
        return droppedTornRecordPosition;
    }

    /**
     * @return entries the in-memory index of the log holds before it next grows (growing copies it, on the caller's
     * thread).
     */
    public int indexCapacity()
    {
        return entries.capacity();
    }

    /**
     * @return how many segment files the log holds.
     */
    public int segmentCount()
    {
        return segments.size();
    }

    /**
     * @return pages the background pretoucher has touched ahead of the appender (0 when it is off).
     */
    public long pretouchedPages()
    {
        return null == pretoucher ? 0 : pretoucher.touchedPages();
    }

    /**
     * @return next segments the background pretoucher created ahead of the appender (0 when it is off).
     */
    public long preparedSegments()
    {
        return null == pretoucher ? 0 : pretoucher.preparedSegments();
    }

    /**
     * @return compacted segments deleted by the pretoucher's thread, not by the log's (0 when it is off).
     */
    public long segmentsDeletedInBackground()
    {
        return null == pretoucher ? 0 : pretoucher.deletedSegments();
    }

    /**
     * @return segments started without a Chronicle roll on the writing thread: the pretoucher had moved the spare
     * appender to the new segment ahead (see {@link JournalAppender}). The others were rolled by the writing thread.
     * Read it on the log's thread.
     */
    public long preparedSegmentStarts()
    {
        return journal.preparedStarts();
    }

    /**
     * @return the cycle (segment) the journal writes now.
     */
    int journalCycle()
    {
        return journal.cycle();
    }

    /**
     * @return what the pretoucher's thread calls to create a segment ahead of the appender (tests call it directly
     * to play a pretoucher that runs late).
     */
    SegmentPretoucher.NextSegment nextSegment()
    {
        return nextSegment;
    }

    /**
     * @return how many times {@link #sync()} forced data to disk.
     */
    public long syncCount()
    {
        return syncCount;
    }

    /**
     * {@inheritDoc}
     */
    public long baseIndex()
    {
        return baseIndex;
    }

    /**
     * {@inheritDoc}
     */
    public long baseTerm()
    {
        return baseTerm;
    }

    /**
     * {@inheritDoc}
     */
    public long lastIndex()
    {
        return baseIndex + entries.count();
    }

    /**
     * {@inheritDoc}
     */
    public long lastTerm()
    {
        final int count = entries.count();
        return 0 == count ? baseTerm : entries.term(baseIndex + count);
    }

    /**
     * {@inheritDoc}
     */
    public long termAt(final long index)
    {
        if (index == baseIndex)
        {
            return baseTerm;
        }
        if (index < baseIndex || index > baseIndex + entries.count())
        {
            return NULL_TERM;
        }
        return entries.term(index);
    }

    /**
     * {@inheritDoc}
     */
    public long append(
        final long term, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        final long lastTerm = lastTerm();
        if (term < lastTerm)
        {
            throw new IllegalArgumentException("append term=" + term + " is below lastTerm=" + lastTerm);
        }
        if (length < 0 || length > maxEntryLength)
        {
            throw new IllegalArgumentException("entry length=" + length + " is outside 0.." + maxEntryLength);
        }
        if (offset < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException(
                "offset=" + offset + " length=" + length + " capacity=" + buffer.capacity());
        }
        final long index = lastIndex() + 1;
        entries.add(journal.appendEntry(index, term, timestamp, buffer, offset, length));
        afterWrite();
        return index;
    }

    /**
     * {@inheritDoc}
     */
    public boolean read(final long index, final LogEntryView view)
    {
        if (index <= baseIndex || index > baseIndex + entries.count())
        {
            return false;
        }
        final long record = entries.address(index);
        view.wrapAddress(index, JournalRecords.entryTerm(record), JournalRecords.entryPayloadAddress(record),
            JournalRecords.entryPayloadLength(record)).timestamp(JournalRecords.entryTimestamp(record));
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public void truncateAfter(final long index)
    {
        final long lastIndex = lastIndex();
        if (index >= lastIndex)
        {
            return;
        }
        if (index < baseIndex)
        {
            throw new IllegalArgumentException("truncateAfter(" + index + ") is below baseIndex=" + baseIndex);
        }
        journal.appendTruncate(index);
        entries.truncateAfter(index);
        afterWrite();
    }

    /**
     * {@inheritDoc}
     */
    public void compactTo(final long index)
    {
        final long lastIndex = lastIndex();
        if (index < baseIndex || index > lastIndex)
        {
            throw new IllegalArgumentException(
                "compactTo(" + index + ") is outside baseIndex=" + baseIndex + " lastIndex=" + lastIndex);
        }
        if (index == baseIndex)
        {
            return;
        }
        final long term = entries.term(index);
        journal.appendBase(index, term);
        entries.dropUpTo(index);
        baseIndex = index;
        baseTerm = term;
        afterWrite();
        deleteCompactedSegments();
    }

    /**
     * {@inheritDoc}
     */
    public void reset(final long baseIndex, final long baseTerm)
    {
        if (baseIndex < lastIndex())
        {
            journal.appendTruncate(baseIndex);
        }
        journal.appendBase(baseIndex, baseTerm);
        entries.reset(baseIndex + 1);
        this.baseIndex = baseIndex;
        this.baseTerm = baseTerm;
        afterWrite();
        deleteCompactedSegments();
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        journal.commit();
        if (isDirty && Durability.NONE != durability)
        {
            forceToDisk();
        }
        isDirty = false;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        try
        {
            if (null != pretoucher)
            {
                pretoucher.close();
            }
            segments.close();
            journal.close();
            queue.close();
        }
        finally
        {
            entries.close();
            directoryLock.close();
        }
    }

    private void afterWrite()
    {
        isDirty = true;
        if (Durability.EACH == durability)
        {
            forceToDisk();
            isDirty = false;
        }
    }

    private void forceToDisk()
    {
        journal.commit();
        segments.forceDirty();
        syncCount++;
    }

    /**
     * Delete whole segments before the one holding the first live entry (or, with no entries, before the one
     * holding the marker just written). Unless the level is {@code NONE}, the marker must be on disk first: without it
     * a restart after a machine crash would find the journal starting in the middle with nothing to anchor it.
     */
    private void deleteCompactedSegments()
    {
        final int keepFrom = entries.count() > 0 ? segments.cycleOf(entries.address(baseIndex + 1)) : journal.cycle();
        if (segments.firstCycle() < keepFrom)
        {
            // The marker's document must be complete before the files it explains go (else a killed process
            // leaves a journal with no anchor), and on disk too unless the level is NONE.
            journal.commit();
            if (isDirty && Durability.NONE != durability)
            {
                forceToDisk();
            }
            if (segments.deleteBelow(keepFrom, pretoucher) > 0)
            {
                queue.refreshDirectoryListing();
            }
        }
    }

    /**
     * Start a segment ahead: only the successor of the segment written last, never before the first write. Chronicle's
     * roll from cycle a to c ends a and the newest file before c, if any; a file beyond c makes it skip the cycles
     * between, so an empty segment a killed process had started ahead kept no end-of-file marker and the next open's
     * scan stopped there (crash test, seed 780: its writer started a segment ahead before its first write after a
     * restart; {@code ChronicleRaftLogTest.shouldStartAheadOnlyTheSuccessorOfTheSegmentWrittenLast}).
     */
    private Path startAhead(final SingleChronicleQueue queue, final int cycle)
    {
        final JournalAppender journal = this.journal;
        // Before the first write, writtenCycle() + 1 is no cycle at all.
        if (null == journal || cycle != journal.writtenCycle() + 1)
        {
            return null;
        }
        final Path file = journal.prepareSpare(cycle);
        return null != file ? file : createSegment(queue, cycle);
    }

    /**
     * Create a cycle's file as Chronicle does when an appender rolls to it: for the pretoucher's thread when the
     * spare appender is not free (see {@link #startAhead(SingleChronicleQueue, int)}).
     */
    private static Path createSegment(final SingleChronicleQueue queue, final int cycle)
    {
        final SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), true, null);
        try
        {
            return store.file().toPath();
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    private void checkRecordFits(final SingleChronicleQueue queue)
    {
        final long largest = JournalRecords.entryLength(maxEntryLength);
        if (largest > queue.overlapSize())
        {
            throw new IllegalStateException("maxEntryLength=" + maxEntryLength + " needs records of " + largest +
                " bytes, above the mapping overlap of " + queue.overlapSize() + " for blockLength=" +
                context.blockLength());
        }
    }

    /**
     * Chronicle keeps its writer locks in its metadata file and a killed writer leaves them set. This log holds the
     * directory's OS lock, so no live writer can own them: clear them instead of waiting for a timeout.
     */
    private static void clearLocksOfDeadWriters(final SingleChronicleQueue queue)
    {
        clearLock(new TableStoreWriteLock(queue.metaStore(), BusyTimedPauser::new, 0L));
        clearLock(new TableStoreWriteLock(
            queue.metaStore(), BusyTimedPauser::new, 0L, TableStoreWriteLock.APPEND_LOCK_KEY));
    }

    private static void clearLock(final TableStoreWriteLock lock)
    {
        try
        {
            if (AbstractTSQueueLock.UNLOCKED != lock.lockedBy())
            {
                lock.forceUnlock();
            }
        }
        finally
        {
            lock.close();
        }
    }
}
