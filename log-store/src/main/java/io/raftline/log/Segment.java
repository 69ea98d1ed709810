package io.raftline.log;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * One roll-cycle file of the journal: its cycle number and path, the mapped chunks that hold its live records, and
 * the channel used to force it to disk.
 * <p>
 * Reads return views straight over mapped memory, so the chunks must stay mapped for as long as the log may hand
 * out their addresses. Chronicle unmaps a chunk when nothing references it any more; a segment therefore takes one
 * reference of its own on every chunk an entry was written to or read from, and gives them back only when the
 * segment is deleted by compaction or the log is closed.
 */
final class Segment
{
    private final int cycle;
    private final Path file;
    private final ArrayList<BytesStore<?, ?>> retained = new ArrayList<>(4);
    private long[] ranges = new long[8];
    private BytesStore<?, ?> lastRetained;
    private FileChannel channel;
    private boolean isDirty;
    private long startPosition = -1;
    private long endPosition;

    Segment(final int cycle, final Path file)
    {
        this.cycle = cycle;
        this.file = file;
    }

    int cycle()
    {
        return cycle;
    }

    Path file()
    {
        return file;
    }

    /**
     * @return bytes of records written into this segment through this log (Chronicle's header and index excluded).
     */
    long writtenLength()
    {
        return startPosition < 0 ? 0 : endPosition - startPosition;
    }

    /**
     * Account for a record written into this segment.
     *
     * @param position of the record in the file.
     * @param length   of the record.
     */
    void onWrite(final long position, final int length)
    {
        if (startPosition < 0)
        {
            startPosition = position;
        }
        endPosition = position + length;
        isDirty = true;
    }

    boolean isDirty()
    {
        return isDirty;
    }

    void markDirty()
    {
        isDirty = true;
    }

    /**
     * Keep a mapped chunk of this segment mapped until {@link #release(ReferenceOwner)}.
     *
     * @param store the chunk.
     * @param owner on whose behalf the reference is taken.
     */
    void retain(final BytesStore<?, ?> store, final ReferenceOwner owner)
    {
        if (store == lastRetained)
        {
            return;
        }
        for (int i = 0, size = retained.size(); i < size; i++)
        {
            if (retained.get(i) == store)
            {
                lastRetained = store;
                return;
            }
        }
        store.reserve(owner);
        final int slot = 2 * retained.size();
        if (slot + 2 > ranges.length)
        {
            ranges = Arrays.copyOf(ranges, ranges.length * 2);
        }
        ranges[slot] = store.addressForRead(store.start());
        ranges[slot + 1] = ranges[slot] + (store.realCapacity() - store.start());
        retained.add(store);
        lastRetained = store;
    }

    /**
     * @param address in mapped memory.
     * @return whether one of this segment's retained chunks holds it.
     */
    boolean contains(final long address)
    {
        for (int i = 0, size = 2 * retained.size(); i < size; i += 2)
        {
            if (address >= ranges[i] && address < ranges[i + 1])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Force the file's data to disk (fdatasync). Covers Chronicle's own header and index pages too.
     *
     * @throws IOException if the file cannot be forced.
     */
    void force() throws IOException
    {
        if (null == channel)
        {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        channel.force(false);
        isDirty = false;
    }

    /**
     * Give back the chunk references and close the channel; addresses into this segment become invalid.
     *
     * @param owner that took the references.
     */
    void release(final ReferenceOwner owner)
    {
        for (int i = 0, size = retained.size(); i < size; i++)
        {
            retained.get(i).release(owner);
        }
        retained.clear();
        lastRetained = null;
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Closing a channel that was only used to force the file; nothing is lost.
            }
            channel = null;
        }
    }
}
