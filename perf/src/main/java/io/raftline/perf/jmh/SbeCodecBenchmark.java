package io.raftline.perf.jmh;

import io.raftline.codecs.AppendEntriesDecoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.engine.protocol.ConsensusEncoder;
import io.raftline.log.InMemoryRaftLog;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * SBE encode and decode of consensus frames: an AppendEntries carrying entries read from the log, and the decode
 * of it entry by entry, as a follower does. {@code -prof gc} shows 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Thread)
public class SbeCodecBenchmark
{
    @Param({"1", "16"})
    int entries;

    @Param({"32", "256"})
    int payloadLength;

    private final ConsensusEncoder encoder = new ConsensusEncoder();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AppendEntriesDecoder decoder = new AppendEntriesDecoder();
    private final InMemoryRaftLog log = new InMemoryRaftLog(false);
    private int encodedLength;

    /**
     * A log with the entries to send, and one encoded frame for the decode benchmark.
     */
    @Setup
    public void setup()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        for (int i = 0; i < entries; i++)
        {
            log.append(7, payload, 0, payloadLength);
        }
        encodedLength = encode();
    }

    /**
     * @return the frame length.
     */
    @Benchmark
    public int encode()
    {
        return encoder.appendEntries(buffer, 0, 0, 1, 7, 0, 0, 0, log, 1, entries);
    }

    /**
     * @return a checksum of the decoded fields, so nothing is optimised away.
     */
    @Benchmark
    public long decode()
    {
        headerDecoder.wrap(buffer, 0);
        decoder.wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
            headerDecoder.version());
        long sum = decoder.term() + decoder.prevLogIndex() + decoder.leaderCommit();
        final AppendEntriesDecoder.EntriesDecoder group = decoder.entries();
        while (group.hasNext())
        {
            group.next();
            sum += group.term() + group.payloadLength();
            group.skipPayload();
        }
        return sum + encodedLength;
    }

    /**
     * @return encode then decode, a round trip through the wire format.
     */
    @Benchmark
    public long encodeAndDecode()
    {
        encode();
        return decode();
    }
}
