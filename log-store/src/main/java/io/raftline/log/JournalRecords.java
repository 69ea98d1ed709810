package io.raftline.log;

import io.raftline.codecs.LogBaseDecoder;
import io.raftline.codecs.LogBaseEncoder;
import io.raftline.codecs.LogEntryDecoder;
import io.raftline.codecs.LogEntryEncoder;
import io.raftline.codecs.LogTruncateDecoder;
import io.raftline.codecs.LogTruncateEncoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Encodes and decodes the SBE records of the log journal (LogEntry, LogTruncate, LogBase) directly in mapped memory,
 * with their CRC32C: over the whole record, computed with the checksum field still zero ({@link Crc32c#ofRecord}
 * checks it). One instance per log; reuses its flyweights, allocates nothing.
 */
final class JournalRecords
{
    static final int INVALID = 0;
    static final int ENTRY = 1;
    static final int TRUNCATE = 2;
    static final int BASE = 3;

    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int ENTRY_PAYLOAD_OFFSET =
        HEADER_LENGTH + LogEntryEncoder.BLOCK_LENGTH + LogEntryEncoder.payloadHeaderLength();
    static final int TRUNCATE_LENGTH = HEADER_LENGTH + LogTruncateEncoder.BLOCK_LENGTH;
    static final int BASE_LENGTH = HEADER_LENGTH + LogBaseEncoder.BLOCK_LENGTH;

    private static final int ENTRY_CHECKSUM_OFFSET = HEADER_LENGTH + LogEntryEncoder.checksumEncodingOffset();
    private static final int ENTRY_INDEX_OFFSET = HEADER_LENGTH + LogEntryEncoder.indexEncodingOffset();
    private static final int ENTRY_TERM_OFFSET = HEADER_LENGTH + LogEntryEncoder.termEncodingOffset();
    private static final int ENTRY_TIMESTAMP_OFFSET = HEADER_LENGTH + LogEntryEncoder.timestampEncodingOffset();
    // The block of a record written before schema version 3 ends at the checksum: it has no timestamp.
    private static final int ENTRY_BLOCK_LENGTH_BEFORE_TIMESTAMP = LogEntryEncoder.timestampEncodingOffset();
    private static final long ENTRY_HEADER = LogEntryEncoder.BLOCK_LENGTH |
        (long)LogEntryEncoder.TEMPLATE_ID << 16 |
        (long)LogEntryEncoder.SCHEMA_ID << 32 |
        (long)LogEntryEncoder.SCHEMA_VERSION << 48;

    private static final int TRUNCATE_CHECKSUM_OFFSET = HEADER_LENGTH + LogTruncateEncoder.checksumEncodingOffset();
    private static final int BASE_CHECKSUM_OFFSET = HEADER_LENGTH + LogBaseEncoder.checksumEncodingOffset();

    static
    {
        // The plain loads and stores below assume SBE's little-endian layout, with the timestamp right after the
        // checksum at the end of the block, then the payload length.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN ||
            ENTRY_CHECKSUM_OFFSET + 4 != ENTRY_TIMESTAMP_OFFSET ||
            ENTRY_TIMESTAMP_OFFSET + 8 != HEADER_LENGTH + LogEntryEncoder.BLOCK_LENGTH)
        {
            throw new ExceptionInInitializerError("unexpected LogEntry layout or a big-endian platform");
        }
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogEntryDecoder entryDecoder = new LogEntryDecoder();
    private final LogTruncateEncoder truncateEncoder = new LogTruncateEncoder();
    private final LogTruncateDecoder truncateDecoder = new LogTruncateDecoder();
    private final LogBaseEncoder baseEncoder = new LogBaseEncoder();
    private final LogBaseDecoder baseDecoder = new LogBaseDecoder();

    private long index;
    private long term;
    private String error;

    /**
     * @param payloadLength of an entry.
     * @return the length of its LogEntry record.
     */
    static int entryLength(final int payloadLength)
    {
        return ENTRY_PAYLOAD_OFFSET + payloadLength;
    }

    /**
     * The term of a LogEntry record that was validated when written or scanned.
     *
     * @param recordAddress of the record.
     * @return its term.
     */
    static long entryTerm(final long recordAddress)
    {
        return UnsafeApi.getLong(recordAddress + ENTRY_TERM_OFFSET);
    }

    /**
     * The cluster time of a LogEntry record that was validated when written or scanned.
     *
     * @param recordAddress of the record.
     * @return its timestamp; 0 for a record written before schema version 3, which has none.
     */
    static long entryTimestamp(final long recordAddress)
    {
        final int blockLength = UnsafeApi.getShort(recordAddress) & 0xFFFF;
        return blockLength > ENTRY_BLOCK_LENGTH_BEFORE_TIMESTAMP ?
            UnsafeApi.getLong(recordAddress + ENTRY_TIMESTAMP_OFFSET) : 0;
    }

    /**
     * @param recordAddress of a validated LogEntry record.
     * @return the address of the length field before its payload (the block may be longer in a newer version).
     */
    static long entryLengthField(final long recordAddress)
    {
        return recordAddress + HEADER_LENGTH + (UnsafeApi.getShort(recordAddress) & 0xFFFF);
    }

    /**
     * @param recordAddress of a validated LogEntry record.
     * @return the payload length.
     */
    static int entryPayloadLength(final long recordAddress)
    {
        return UnsafeApi.getInt(entryLengthField(recordAddress));
    }

    /**
     * @param recordAddress of a validated LogEntry record.
     * @return the address of the payload.
     */
    static long entryPayloadAddress(final long recordAddress)
    {
        return entryLengthField(recordAddress) + LogEntryEncoder.payloadHeaderLength();
    }

    /**
     * Encode a LogEntry at an address with room for {@link #entryLength(int)} bytes.
     *
     * @param address to write at.
     * @param index   of the entry.
     * @param term      of the entry.
     * @param timestamp of the entry (cluster time).
     * @param source  of the payload.
     * @param offset  of the payload in source.
     * @param length  of the payload.
     * @return the record length.
     */
    int writeEntry(
        final long address,
        final long index,
        final long term,
        final long timestamp,
        final DirectBuffer source,
        final int offset,
        final int length)
    {
        // The SBE layout of LogEntry written with plain stores (the flyweight's bounds checks and per-field
        // byte-order tests cost more than the rest of an append): header, index, term, checksum 0, timestamp, the
        // payload length, then the payload. JournalRecordsTest decodes it with LogEntryDecoder.
        final int recordLength = ENTRY_PAYLOAD_OFFSET + length;
        UnsafeApi.putLong(address, ENTRY_HEADER);
        UnsafeApi.putLong(address + ENTRY_INDEX_OFFSET, index);
        UnsafeApi.putLong(address + ENTRY_TERM_OFFSET, term);
        UnsafeApi.putInt(address + ENTRY_CHECKSUM_OFFSET, 0);
        UnsafeApi.putLong(address + ENTRY_TIMESTAMP_OFFSET, timestamp);
        UnsafeApi.putInt(address + ENTRY_TIMESTAMP_OFFSET + 8, length);
        UnsafeApi.copyMemory(source.byteArray(), source.addressOffset() + offset, null,
            address + ENTRY_PAYLOAD_OFFSET, length);
        UnsafeApi.putInt(address + ENTRY_CHECKSUM_OFFSET, Crc32c.of(address, recordLength));
        return recordLength;
    }

    /**
     * Encode a LogTruncate at an address with room for {@link #TRUNCATE_LENGTH} bytes.
     *
     * @param address       to write at.
     * @param lastKeptIndex of the truncation.
     * @return the record length.
     */
    int writeTruncate(final long address, final long lastKeptIndex)
    {
        buffer.wrap(address, TRUNCATE_LENGTH);
        truncateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).lastKeptIndex(lastKeptIndex).checksum(0);
        truncateEncoder.checksum(Crc32c.of(address, TRUNCATE_LENGTH));
        return TRUNCATE_LENGTH;
    }

    /**
     * Encode a LogBase at an address with room for {@link #BASE_LENGTH} bytes.
     *
     * @param address   to write at.
     * @param baseIndex of the marker.
     * @param baseTerm  of the marker.
     * @return the record length.
     */
    int writeBase(final long address, final long baseIndex, final long baseTerm)
    {
        buffer.wrap(address, BASE_LENGTH);
        baseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).baseIndex(baseIndex).baseTerm(baseTerm).checksum(0);
        baseEncoder.checksum(Crc32c.of(address, BASE_LENGTH));
        return BASE_LENGTH;
    }

    /**
     * The length of the record at an address, from its own header, when several records share one Chronicle
     * document. A header that cannot be read, names no known record or runs past the bytes left yields
     * {@code remaining}: the rest of the document is then one record, which {@link #decode} rejects.
     *
     * @param address   of the record.
     * @param remaining bytes of the document from the address on.
     * @return the record's length, at most {@code remaining}.
     */
    int recordLength(final long address, final int remaining)
    {
        if (remaining < HEADER_LENGTH)
        {
            return remaining;
        }
        buffer.wrap(address, remaining);
        headerDecoder.wrap(buffer, 0);
        if (LogEntryDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            return remaining;
        }
        final long fixedLength = HEADER_LENGTH + (long)headerDecoder.blockLength();
        final long length;
        switch (headerDecoder.templateId())
        {
            case LogEntryDecoder.TEMPLATE_ID:
                length = fixedLength + 4 > remaining ? Long.MAX_VALUE :
                    fixedLength + 4 + (buffer.getInt((int)fixedLength, LogEntryDecoder.BYTE_ORDER) & 0xFFFF_FFFFL);
                break;
            case LogTruncateDecoder.TEMPLATE_ID:
            case LogBaseDecoder.TEMPLATE_ID:
                length = fixedLength;
                break;
            default:
                length = Long.MAX_VALUE;
                break;
        }
        return length > remaining ? remaining : (int)length;
    }

    /**
     * Validate and decode the record at an address. On success the accessors describe it: {@link #index()} and
     * {@link #term()} are the entry's, the truncation's lastKeptIndex, or the base index and term.
     *
     * @param address of the record.
     * @param length  of the record, as the journal framed it.
     * @return {@link #ENTRY}, {@link #TRUNCATE}, {@link #BASE}, or {@link #INVALID} with {@link #error()} saying why.
     */
    int decode(final long address, final int length)
    {
        error = null;
        if (length < HEADER_LENGTH)
        {
            return invalid("record of " + length + " bytes is shorter than a message header");
        }
        buffer.wrap(address, length);
        headerDecoder.wrap(buffer, 0);
        final int schemaId = headerDecoder.schemaId();
        if (LogEntryDecoder.SCHEMA_ID != schemaId)
        {
            return invalid("schema id " + schemaId + " is not " + LogEntryDecoder.SCHEMA_ID);
        }
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case LogEntryDecoder.TEMPLATE_ID:
                return decodeEntry(address, length, blockLength, version);
            case LogTruncateDecoder.TEMPLATE_ID:
                return decodeTruncate(address, length, blockLength, version);
            case LogBaseDecoder.TEMPLATE_ID:
                return decodeBase(address, length, blockLength, version);
            default:
                return invalid("unknown record template id " + headerDecoder.templateId());
        }
    }

    long index()
    {
        return index;
    }

    long term()
    {
        return term;
    }

    String error()
    {
        return error;
    }

    private int decodeEntry(final long address, final int length, final int blockLength, final int version)
    {
        final int lengthFieldOffset = HEADER_LENGTH + blockLength;
        if (blockLength < ENTRY_BLOCK_LENGTH_BEFORE_TIMESTAMP || length < lengthFieldOffset + 4)
        {
            return invalid("LogEntry of " + length + " bytes with block length " + blockLength + " is too short");
        }
        entryDecoder.wrap(buffer, HEADER_LENGTH, blockLength, version);
        final long declaredLength = buffer.getInt(lengthFieldOffset, LogEntryDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (lengthFieldOffset + 4 + declaredLength != length)
        {
            return invalid("LogEntry payload length " + declaredLength + " does not fit a record of " + length);
        }
        if (!checksumMatches(address, length, ENTRY_CHECKSUM_OFFSET, entryDecoder.checksum()))
        {
            return INVALID;
        }
        index = entryDecoder.index();
        term = entryDecoder.term();
        return ENTRY;
    }

    private int decodeTruncate(final long address, final int length, final int blockLength, final int version)
    {
        if (blockLength < LogTruncateDecoder.BLOCK_LENGTH || length != HEADER_LENGTH + blockLength)
        {
            return invalid("LogTruncate of " + length + " bytes with block length " + blockLength);
        }
        truncateDecoder.wrap(buffer, HEADER_LENGTH, blockLength, version);
        if (!checksumMatches(address, length, TRUNCATE_CHECKSUM_OFFSET, truncateDecoder.checksum()))
        {
            return INVALID;
        }
        index = truncateDecoder.lastKeptIndex();
        term = 0;
        return TRUNCATE;
    }

    private int decodeBase(final long address, final int length, final int blockLength, final int version)
    {
        if (blockLength < LogBaseDecoder.BLOCK_LENGTH || length != HEADER_LENGTH + blockLength)
        {
            return invalid("LogBase of " + length + " bytes with block length " + blockLength);
        }
        baseDecoder.wrap(buffer, HEADER_LENGTH, blockLength, version);
        if (!checksumMatches(address, length, BASE_CHECKSUM_OFFSET, baseDecoder.checksum()))
        {
            return INVALID;
        }
        index = baseDecoder.baseIndex();
        term = baseDecoder.baseTerm();
        return BASE;
    }

    private boolean checksumMatches(final long address, final int length, final int checksumOffset, final int stored)
    {
        final int computed = Crc32c.ofRecord(address, length, checksumOffset);
        if (computed != stored)
        {
            error = "checksum mismatch: stored " + Integer.toHexString(stored) + ", computed " +
                Integer.toHexString(computed);
            return false;
        }
        return true;
    }

    private int invalid(final String reason)
    {
        error = reason;
        return INVALID;
    }
}
