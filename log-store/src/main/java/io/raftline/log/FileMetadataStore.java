package io.raftline.log;

import io.raftline.codecs.MemberStateDecoder;
import io.raftline.codecs.MemberStateEncoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The durable vote ({@link MetadataStore}) in one small file holding a single SBE {@code MemberState} record with
 * its CRC32C.
 * <p>
 * Every write replaces the file atomically: the record goes to a temporary file beside it, which is forced to disk,
 * renamed over the old file, and the directory forced. A crash at any point leaves the old or the new record, never
 * a mix, so kill -9 at any instant is safe. With {@link Durability#NONE} the two forces are skipped (the rename is
 * still atomic, so a process crash is safe, a machine crash may lose the update). {@link Durability#EACH} writes on
 * every {@link #update}; the other levels write on {@link #sync()}, and only if something changed.
 * <p>
 * Opening validates the record (schema, template, length, checksum) and throws {@link LogCorruptionException}
 * naming the file and offset if anything is off: a member must not forget a vote it gave.
 */
public final class FileMetadataStore implements MetadataStore
{
    private static final int RECORD_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + MemberStateEncoder.BLOCK_LENGTH;
    private static final int CHECKSUM_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + MemberStateEncoder.checksumEncodingOffset();

    private final Path file;
    private final Durability durability;
    private final ByteBuffer record = ByteBuffer.allocateDirect(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer recordBuffer = new UnsafeBuffer(record);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MemberStateEncoder encoder = new MemberStateEncoder();
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private boolean isDirty;

    private FileMetadataStore(final Path file, final Durability durability)
    {
        this.file = file;
        this.durability = durability;
    }

    /**
     * Open the store, reading and validating its file.
     *
     * @param file            of the store.
     * @param durability      how hard updates are forced to disk.
     * @param createIfMissing whether a missing file means a new member (term 0, no vote); if false a missing file is
     *                        reported as corruption, for a member that is known to have voted before.
     * @return the open store.
     * @throws LogCorruptionException if the file is missing (and may not be) or damaged.
     */
    public static FileMetadataStore open(final Path file, final Durability durability, final boolean createIfMissing)
    {
        final FileMetadataStore store = new FileMetadataStore(file, durability);
        try
        {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
            final byte[] bytes = Files.readAllBytes(file);
            store.load(bytes);
        }
        catch (final NoSuchFileException ex)
        {
            if (!createIfMissing)
            {
                throw new LogCorruptionException(file, LogCorruptionException.NO_OFFSET,
                    "the metadata file is missing: this member's term and vote are lost", ex);
            }
            store.write(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        return store;
    }

    /**
     * @return the file of the store.
     */
    public Path file()
    {
        return file;
    }

    /**
     * {@inheritDoc}
     */
    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * {@inheritDoc}
     */
    public int votedFor()
    {
        return votedFor;
    }

    /**
     * {@inheritDoc}
     */
    public void update(final long currentTerm, final int votedFor)
    {
        if (currentTerm < this.currentTerm)
        {
            throw new IllegalArgumentException(
                "term must not go backwards: currentTerm=" + this.currentTerm + " update=" + currentTerm);
        }
        this.currentTerm = currentTerm;
        this.votedFor = votedFor;
        isDirty = true;
        if (Durability.EACH == durability)
        {
            write(false);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void sync()
    {
        if (isDirty)
        {
            write(false);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    private void load(final byte[] bytes)
    {
        if (bytes.length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new LogCorruptionException(file, 0, "file of " + bytes.length + " bytes has no record header");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        if (MemberStateDecoder.SCHEMA_ID != header.schemaId() || MemberStateDecoder.TEMPLATE_ID != header.templateId())
        {
            throw new LogCorruptionException(file, 0, "not a MemberState record: schema " + header.schemaId() +
                ", template " + header.templateId());
        }
        final int blockLength = header.blockLength();
        if (blockLength < MemberStateDecoder.BLOCK_LENGTH ||
            bytes.length != MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            throw new LogCorruptionException(file, 0, "file of " + bytes.length +
                " bytes does not hold one MemberState record of block length " + blockLength);
        }
        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes);
        final int computed = Crc32c.ofRecord(new UnsafeBuffer(direct).addressOffset(), bytes.length, CHECKSUM_OFFSET);
        final MemberStateDecoder decoder = new MemberStateDecoder()
            .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, blockLength, header.version());
        if (computed != decoder.checksum())
        {
            throw new LogCorruptionException(file, CHECKSUM_OFFSET, "checksum mismatch: stored " +
                Integer.toHexString(decoder.checksum()) + ", computed " + Integer.toHexString(computed));
        }
        currentTerm = decoder.currentTerm();
        votedFor = decoder.votedFor();
    }

    private void write(final boolean isForced)
    {
        encoder.wrapAndApplyHeader(recordBuffer, 0, headerEncoder)
            .currentTerm(currentTerm)
            .votedFor(votedFor)
            .checksum(0);
        encoder.checksum(Crc32c.of(recordBuffer.addressOffset(), RECORD_LENGTH));
        record.clear();
        try
        {
            FileSync.replaceAtomically(file, record, isForced || Durability.NONE != durability);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
        isDirty = false;
    }
}
