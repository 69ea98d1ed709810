package io.raftline.log;

import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import io.raftline.codecs.SnapshotHeaderDecoder;
import io.raftline.codecs.SnapshotHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Layout of a snapshot file: a {@code SnapshotHeader} record (index, term, data length, CRC32C of the data, CRC32C
 * of the header itself) in the first {@link #HEADER_LENGTH} bytes, the state machine's bytes after it. Files are
 * named {@code snapshot-<index>-<term>.snap} with zero-padded numbers, so names sort like snapshots.
 */
final class SnapshotFiles
{
    static final int HEADER_LENGTH = 64;
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".snap";
    static final String TEMPORARY_SUFFIX = ".tmp";

    private static final int RECORD_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + SnapshotHeaderEncoder.BLOCK_LENGTH;
    private static final int CHECKSUM_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + SnapshotHeaderEncoder.headerChecksumEncodingOffset();
    private static final int COPY_CHUNK = 64 * 1024;

    private SnapshotFiles()
    {
    }

    static String name(final long index, final long term)
    {
        return String.format("%s%020d-%020d%s", PREFIX, index, term, SUFFIX);
    }

    /**
     * @param header direct buffer of {@link #HEADER_LENGTH} bytes to fill.
     */
    static void encodeHeader(
        final ByteBuffer header, final long index, final long term, final long dataLength, final long dataChecksum)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(header);
        buffer.setMemory(0, HEADER_LENGTH, (byte)0);
        final SnapshotHeaderEncoder encoder = new SnapshotHeaderEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .snapshotIndex(index)
            .snapshotTerm(term)
            .dataLength(dataLength)
            .dataChecksum(dataChecksum)
            .headerChecksum(0);
        encoder.headerChecksum(Crc32c.of(buffer.addressOffset(), RECORD_LENGTH));
        header.clear();
    }

    /**
     * Validate a snapshot file completely: header checksum, length, data checksum.
     *
     * @param file    the snapshot.
     * @param channel open on it.
     * @return what it holds.
     * @throws LogCorruptionException naming the file and offset of what is wrong.
     * @throws IOException            if it cannot be read.
     */
    static SnapshotMetadata verify(final Path file, final FileChannel channel) throws IOException
    {
        final long fileLength = channel.size();
        if (fileLength < HEADER_LENGTH)
        {
            throw new LogCorruptionException(file, 0, "file of " + fileLength + " bytes is shorter than its header");
        }
        final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(header);
        final MessageHeaderDecoder messageHeader = new MessageHeaderDecoder().wrap(buffer, 0);
        if (SnapshotHeaderDecoder.SCHEMA_ID != messageHeader.schemaId() ||
            SnapshotHeaderDecoder.TEMPLATE_ID != messageHeader.templateId() ||
            messageHeader.blockLength() < SnapshotHeaderDecoder.BLOCK_LENGTH ||
            MessageHeaderDecoder.ENCODED_LENGTH + messageHeader.blockLength() > HEADER_LENGTH)
        {
            throw new LogCorruptionException(file, 0, "no SnapshotHeader record at the start");
        }
        final int recordLength = MessageHeaderDecoder.ENCODED_LENGTH + messageHeader.blockLength();
        final SnapshotHeaderDecoder decoder = new SnapshotHeaderDecoder().wrap(
            buffer, MessageHeaderDecoder.ENCODED_LENGTH, messageHeader.blockLength(), messageHeader.version());
        final int headerChecksum = Crc32c.ofRecord(buffer.addressOffset(), recordLength, CHECKSUM_OFFSET);
        if (headerChecksum != decoder.headerChecksum())
        {
            throw new LogCorruptionException(file, CHECKSUM_OFFSET, "header checksum mismatch: stored " +
                Integer.toHexString(decoder.headerChecksum()) + ", computed " + Integer.toHexString(headerChecksum));
        }
        final long dataLength = decoder.dataLength();
        if (HEADER_LENGTH + dataLength != fileLength)
        {
            throw new LogCorruptionException(file, Math.min(fileLength, HEADER_LENGTH + dataLength),
                "the header promises " + dataLength + " bytes of data but the file holds " +
                (fileLength - HEADER_LENGTH));
        }
        final long checksum = checksumOfData(channel, dataLength);
        if (checksum != decoder.dataChecksum())
        {
            throw new LogCorruptionException(file, HEADER_LENGTH, "data checksum mismatch: stored " +
                Long.toHexString(decoder.dataChecksum()) + ", computed " + Long.toHexString(checksum));
        }
        return new SnapshotMetadata(decoder.snapshotIndex(), decoder.snapshotTerm(), dataLength, checksum);
    }

    static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                throw new IOException("unexpected end of file at " + at);
            }
            at += read;
        }
        buffer.flip();
    }

    private static long checksumOfData(final FileChannel channel, final long dataLength) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer chunk = ByteBuffer.allocateDirect(COPY_CHUNK);
        long position = HEADER_LENGTH;
        final long end = HEADER_LENGTH + dataLength;
        while (position < end)
        {
            chunk.clear().limit((int)Math.min(COPY_CHUNK, end - position));
            readFully(channel, chunk, position);
            position += chunk.remaining();
            crc.update(chunk);
        }
        return crc.getValue();
    }
}
