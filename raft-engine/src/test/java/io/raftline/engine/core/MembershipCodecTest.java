package io.raftline.engine.core;

import io.raftline.codecs.MembershipEntryDecoder;
import io.raftline.codecs.MembershipEntryEncoder;
import io.raftline.codecs.MessageHeaderDecoder;
import io.raftline.codecs.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core writes configuration entries by hand (it may not depend on the generated codecs): the bytes must be the
 * schema's {@code MembershipEntry}, both ways.
 */
class MembershipCodecTest
{
    private static Membership joint()
    {
        return Membership.bootstrap(new int[]{1, 2, 3}, new String[]{"h1:1", "h2:2", "h3:3"})
            .addLearner(4, "h4:4")
            .withIndex(7)
            .replace(3, 4, null)
            .withIndex(9);
    }

    @Test
    void theGeneratedDecoderReadsWhatTheCoreWrites()
    {
        final Membership membership = joint();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MembershipCodec.encodedLength(membership)]);
        assertEquals(buffer.capacity(), MembershipCodec.encode(membership, buffer, 0));
        assertTrue(MembershipCodec.isMembershipEntry(buffer, 0, buffer.capacity()));

        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        assertEquals(MembershipEntryDecoder.TEMPLATE_ID, header.templateId());
        assertEquals(MembershipEntryDecoder.SCHEMA_ID, header.schemaId());
        assertEquals(MembershipEntryDecoder.SCHEMA_VERSION, header.version());
        final MembershipEntryDecoder decoder = new MembershipEntryDecoder().wrap(
            buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        assertEquals(1, decoder.joint());
        final List<String> members = new ArrayList<>();
        for (final MembershipEntryDecoder.MembersDecoder member : decoder.members())
        {
            members.add(member.memberId() + ":" + member.roles() + ":" + member.endpoint());
        }
        // 1 and 2 vote in both sets, 3 only in C_old, 4 (a learner before) only in C_new.
        assertEquals(List.of("1:3:h1:1", "2:3:h2:2", "3:2:h3:3", "4:1:h4:4"), members);
        assertEquals(0, decoder.retired().count());
        assertEquals(buffer.capacity(), decoder.encodedLength() + MessageHeaderDecoder.ENCODED_LENGTH);
    }

    @Test
    void theCoreReadsWhatTheGeneratedEncoderWrites()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        final MembershipEntryEncoder encoder = new MembershipEntryEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.joint((short)0);
        encoder.membersCount(2).next().memberId(1).roles((short)1).endpoint("a:1")
            .next().memberId(5).roles((short)4).endpoint("b:2");
        encoder.retiredCount(2).next().memberId(3).next().memberId(2);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        final Membership decoded = MembershipCodec.decode(buffer, 0, length, 12);
        assertEquals(12, decoded.index());
        assertFalse(decoded.isJoint());
        assertArrayEquals(new int[]{1}, decoded.voters());
        assertArrayEquals(new int[]{5}, decoded.learners());
        assertArrayEquals(new int[]{2, 3}, decoded.retired());
        assertEquals("b:2", decoded.endpoint(5));
        assertTrue(decoded.isRetired(2));
    }

    @Test
    void aRoundTripKeepsEveryField()
    {
        final Membership membership = joint().leaveJoint().withIndex(10);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MembershipCodec.encodedLength(membership)]);
        MembershipCodec.encode(membership, buffer, 0);
        final Membership decoded = MembershipCodec.decode(buffer, 0, buffer.capacity(), 10);
        assertEquals(membership, decoded);
        assertArrayEquals(new int[]{1, 2, 4}, decoded.voters());
        assertArrayEquals(new int[]{3}, decoded.retired());
        assertEquals("Membership{index=10, voters=[1@h1:1, 2@h2:2, 4@h4:4], learners=[], retired=[3]}",
            decoded.toString());
    }

    @Test
    void aTruncatedEntryIsRefusedWithAReason()
    {
        final Membership membership = joint();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MembershipCodec.encodedLength(membership)]);
        MembershipCodec.encode(membership, buffer, 0);
        for (int length = 8; length < buffer.capacity(); length++)
        {
            final int cut = length;
            assertThrows(IllegalArgumentException.class, () -> MembershipCodec.decode(buffer, 0, cut, 1));
        }
    }

    @Test
    void otherPayloadsAreNotConfigurationEntries()
    {
        assertFalse(MembershipCodec.isMembershipEntry(new UnsafeBuffer(new byte[0]), 0, 0));
        assertFalse(MembershipCodec.isMembershipEntry(new UnsafeBuffer(new byte[]{42}), 0, 1));
        final UnsafeBuffer clientRequest = new UnsafeBuffer(new byte[16]);
        new MessageHeaderEncoder().wrap(clientRequest, 0).templateId(24).schemaId(7401).version(3).blockLength(8);
        assertFalse(MembershipCodec.isMembershipEntry(clientRequest, 0, 16));
    }
}
