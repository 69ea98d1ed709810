package io.raftline.log;

import io.raftline.codecs.LogEntryDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JournalRecordsTest
{
    private final ByteBuffer memory = ByteBuffer.allocateDirect(4096);
    private final UnsafeBuffer target = new UnsafeBuffer(memory);
    private final JournalRecords records = new JournalRecords();

    @Test
    void shouldWriteALogEntryTheGeneratedDecoderReadsFromHeapAndOffHeapSources()
    {
        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[100]);
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
        for (final UnsafeBuffer source : new UnsafeBuffer[]{onHeap, offHeap})
        {
            for (int i = 0; i < 100; i++)
            {
                source.putByte(i, (byte)(i * 3));
            }
            final int length =
                records.writeEntry(target.addressOffset(), 42, 7, 1_700_000_000_123_456_789L, source, 10, 50);
            assertEquals(JournalRecords.entryLength(50), length);

            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(target, 0);
            assertEquals(LogEntryDecoder.TEMPLATE_ID, header.templateId());
            assertEquals(LogEntryDecoder.SCHEMA_ID, header.schemaId());
            assertEquals(LogEntryDecoder.SCHEMA_VERSION, header.version());
            final LogEntryDecoder decoder = new LogEntryDecoder()
                .wrap(target, header.encodedLength(), header.blockLength(), header.version());
            assertEquals(42, decoder.index());
            assertEquals(7, decoder.term());
            assertEquals(1_700_000_000_123_456_789L, decoder.timestamp());
            final byte[] payload = new byte[decoder.payloadLength()];
            final int checksum = decoder.checksum();
            decoder.getPayload(payload, 0, payload.length);
            assertEquals(50, payload.length);
            for (int i = 0; i < 50; i++)
            {
                assertEquals((byte)((i + 10) * 3), payload[i]);
            }
            assertEquals(length, header.encodedLength() + decoder.encodedLength());

            // The checksum is any CRC32C over the record with the field zeroed.
            final byte[] bytes = new byte[length];
            target.getBytes(0, bytes);
            final int checksumOffset = header.encodedLength() + LogEntryDecoder.checksumEncodingOffset();
            for (int i = 0; i < 4; i++)
            {
                bytes[checksumOffset + i] = 0;
            }
            final CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertEquals((int)crc.getValue(), checksum);

            assertEquals(JournalRecords.ENTRY, records.decode(target.addressOffset(), length));
            assertEquals(42, records.index());
            assertEquals(7, records.term());
            assertEquals(7, JournalRecords.entryTerm(target.addressOffset()));
            assertEquals(1_700_000_000_123_456_789L, JournalRecords.entryTimestamp(target.addressOffset()));
            assertEquals(50, JournalRecords.entryPayloadLength(target.addressOffset()));
            assertEquals(target.addressOffset() + JournalRecords.ENTRY_PAYLOAD_OFFSET,
                JournalRecords.entryPayloadAddress(target.addressOffset()));
        }
    }

    @Test
    void shouldReadAVersion2EntryWithoutATimestampAsUnstamped()
    {
        // A record as schema version 2 wrote it: the block ends at the checksum, the payload length follows.
        final long address = target.addressOffset();
        final int blockLength = 20;
        final int length = 8 + blockLength + 4 + 3;
        target.putShort(0, (short)blockLength);
        target.putShort(2, (short)LogEntryDecoder.TEMPLATE_ID);
        target.putShort(4, (short)LogEntryDecoder.SCHEMA_ID);
        target.putShort(6, (short)2);
        target.putLong(8, 42);
        target.putLong(16, 7);
        target.putInt(24, 0);
        target.putInt(28, 3);
        target.putBytes(32, new byte[]{1, 2, 3});
        target.putInt(24, Crc32c.of(address, length));

        assertEquals(length, records.recordLength(address, 4096));
        assertEquals(JournalRecords.ENTRY, records.decode(address, length), records.error());
        assertEquals(42, records.index());
        assertEquals(7, JournalRecords.entryTerm(address));
        assertEquals(RaftLog.NO_TIMESTAMP, JournalRecords.entryTimestamp(address));
        assertEquals(3, JournalRecords.entryPayloadLength(address));
        assertEquals(address + 32, JournalRecords.entryPayloadAddress(address));
    }

    @Test
    void shouldRoundTripMarkersAndRejectADamagedRecord()
    {
        final long address = target.addressOffset();
        assertEquals(JournalRecords.TRUNCATE_LENGTH, records.writeTruncate(address, 99));
        assertEquals(JournalRecords.TRUNCATE, records.decode(address, JournalRecords.TRUNCATE_LENGTH));
        assertEquals(99, records.index());

        assertEquals(JournalRecords.BASE_LENGTH, records.writeBase(address, 1234, 5));
        assertEquals(JournalRecords.BASE, records.decode(address, JournalRecords.BASE_LENGTH));
        assertEquals(1234, records.index());
        assertEquals(5, records.term());

        target.putByte(12, (byte)(target.getByte(12) ^ 1));
        assertEquals(JournalRecords.INVALID, records.decode(address, JournalRecords.BASE_LENGTH));
        assertEquals(true, records.error().startsWith("checksum mismatch"), records.error());
        assertEquals(JournalRecords.INVALID, records.decode(address, JournalRecords.BASE_LENGTH - 1));
        assertEquals(JournalRecords.INVALID, records.decode(address, 3));
    }
}
