package io.raftline.engine.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;


/**
 * The configuration entry of the log and the configuration section of a snapshot, in the SBE layout of the
 * schema's {@code MembershipEntry} (template 45): the core may not depend on the generated codecs, so it writes the
 * same bytes by hand (MembershipCodecTest holds the two together).
 * <pre>
 *   messageHeader { blockLength=1, templateId=45, schemaId=7401, version=3 }
 *   joint: uint8
 *   members: group { blockLength=5 } x { memberId: int32, roles: uint8 (1 voter, 2 voter of C_old, 4 learner),
 *                                        endpoint: varAscii (uint32 length, bytes) }
 *   retired: group { blockLength=4 } x { memberId: int32 }
 * </pre>
 */
public final class MembershipCodec
{
    /**
     * Template id of a configuration entry.
     */
    public static final int TEMPLATE_ID = 45;

    /**
     * Schema id of Raftline's SBE schema.
     */
    public static final int SCHEMA_ID = 7401;

    /**
     * Schema version that introduced configuration entries.
     */
    public static final int SCHEMA_VERSION = 3;

    static final int HEADER_LENGTH = 8;
    private static final int BLOCK_LENGTH = 1;
    private static final int MEMBER_BLOCK_LENGTH = 5;
    private static final int RETIRED_BLOCK_LENGTH = 4;
    private static final int GROUP_HEADER_LENGTH = 4;

    private MembershipCodec()
    {
    }

    /**
     * Whether a log entry's payload is a configuration entry: checked on every append, so it reads two shorts.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @param length of the payload.
     * @return true for a configuration entry.
     */
    public static boolean isMembershipEntry(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH &&
            TEMPLATE_ID == u16(buffer, offset + 2) &&
            SCHEMA_ID == u16(buffer, offset + 4);
    }

    /**
     * @return the encoded length of {@code membership}.
     */
    static int encodedLength(final Membership membership)
    {
        int length = HEADER_LENGTH + BLOCK_LENGTH + GROUP_HEADER_LENGTH + GROUP_HEADER_LENGTH;
        final int[] ids = membership.members();
        for (int i = 0; i < ids.length; i++)
        {
            length += MEMBER_BLOCK_LENGTH + 4 + membership.endpointAt(i).length();
        }
        return length + RETIRED_BLOCK_LENGTH * membership.retired().length;
    }

    /**
     * Encode a configuration (its index is the entry's own, so it is not written).
     *
     * @return the length written.
     */
    static int encode(final Membership membership, final MutableDirectBuffer buffer, final int offset)
    {
        int at = offset;
        putU16(buffer, at, BLOCK_LENGTH);
        putU16(buffer, at + 2, TEMPLATE_ID);
        putU16(buffer, at + 4, SCHEMA_ID);
        putU16(buffer, at + 6, SCHEMA_VERSION);
        at += HEADER_LENGTH;
        buffer.putByte(at, (byte)(membership.isJoint() ? 1 : 0));
        at += BLOCK_LENGTH;
        final int[] ids = membership.members();
        putU16(buffer, at, MEMBER_BLOCK_LENGTH);
        putU16(buffer, at + 2, ids.length);
        at += GROUP_HEADER_LENGTH;
        for (int i = 0; i < ids.length; i++)
        {
            putI32(buffer, at, ids[i]);
            buffer.putByte(at + 4, membership.roleBitsAt(i));
            at += MEMBER_BLOCK_LENGTH;
            final int endpointLength = buffer.putStringWithoutLengthAscii(at + 4, membership.endpointAt(i));
            putI32(buffer, at, endpointLength);
            at += 4 + endpointLength;
        }
        final int[] retired = membership.retired();
        putU16(buffer, at, RETIRED_BLOCK_LENGTH);
        putU16(buffer, at + 2, retired.length);
        at += GROUP_HEADER_LENGTH;
        for (final int id : retired)
        {
            putI32(buffer, at, id);
            at += RETIRED_BLOCK_LENGTH;
        }
        return at - offset;
    }

    /**
     * Decode a configuration entry, honouring the header's and groups' block lengths (a newer writer may add
     * fields).
     *
     * @param index of the entry, which becomes the configuration's.
     * @return the configuration.
     * @throws IllegalArgumentException if the bytes are not a well-formed configuration entry.
     */
    static Membership decode(final DirectBuffer buffer, final int offset, final int length, final long index)
    {
        if (!isMembershipEntry(buffer, offset, length))
        {
            throw new IllegalArgumentException("not a configuration entry");
        }
        final int limit = offset + length;
        int at = offset;
        final int blockLength = u16(buffer, at);
        at += HEADER_LENGTH;
        check(at + blockLength + GROUP_HEADER_LENGTH, limit);
        final boolean isJoint = 0 != buffer.getByte(at);
        at += blockLength;
        final int memberBlockLength = u16(buffer, at);
        final int count = u16(buffer, at + 2);
        at += GROUP_HEADER_LENGTH;
        if (memberBlockLength < MEMBER_BLOCK_LENGTH)
        {
            throw new IllegalArgumentException("member block of " + memberBlockLength + " bytes");
        }
        final int[] ids = new int[count];
        final byte[] roles = new byte[count];
        final String[] endpoints = new String[count];
        for (int i = 0; i < count; i++)
        {
            check(at + memberBlockLength + 4, limit);
            ids[i] = i32(buffer, at);
            roles[i] = buffer.getByte(at + 4);
            at += memberBlockLength;
            final int endpointLength = i32(buffer, at);
            check(at + 4 + (long)endpointLength, limit);
            endpoints[i] = buffer.getStringWithoutLengthAscii(at + 4, endpointLength);
            at += 4 + endpointLength;
            if ((i > 0 && ids[i] <= ids[i - 1]) || ids[i] < 0 || 0 == roles[i])
            {
                throw new IllegalArgumentException("member " + ids[i] + " out of order or without a role");
            }
        }
        check(at + GROUP_HEADER_LENGTH, limit);
        final int retiredBlockLength = u16(buffer, at);
        final int retiredCount = u16(buffer, at + 2);
        at += GROUP_HEADER_LENGTH;
        if (retiredBlockLength < RETIRED_BLOCK_LENGTH)
        {
            throw new IllegalArgumentException("retired block of " + retiredBlockLength + " bytes");
        }
        final int[] retired = new int[retiredCount];
        for (int i = 0; i < retiredCount; i++)
        {
            check(at + retiredBlockLength, limit);
            retired[i] = i32(buffer, at);
            at += retiredBlockLength;
        }
        Arrays.sort(retired);
        return new Membership(index, isJoint, ids, roles, endpoints, retired);
    }

    /**
     * Decode a configuration entry (for tools, tests and the simulator; the core decodes its own).
     *
     * @param index of the entry.
     * @return the configuration.
     * @throws IllegalArgumentException if the bytes are not a well-formed configuration entry.
     */
    public static Membership read(final DirectBuffer buffer, final int offset, final int length, final long index)
    {
        return decode(buffer, offset, length, index);
    }

    // Little-endian by hand: the core stays clear of java.nio (CorePurityTest), and the schema is little-endian.
    static int u16(final DirectBuffer buffer, final int index)
    {
        return (buffer.getByte(index) & 0xFF) | ((buffer.getByte(index + 1) & 0xFF) << 8);
    }

    static int i32(final DirectBuffer buffer, final int index)
    {
        return u16(buffer, index) | (u16(buffer, index + 2) << 16);
    }

    static void putU16(final MutableDirectBuffer buffer, final int index, final int value)
    {
        buffer.putByte(index, (byte)value);
        buffer.putByte(index + 1, (byte)(value >>> 8));
    }

    static void putI32(final MutableDirectBuffer buffer, final int index, final int value)
    {
        putU16(buffer, index, value);
        putU16(buffer, index + 2, value >>> 16);
    }

    private static void check(final long end, final int limit)
    {
        if (end > limit)
        {
            throw new IllegalArgumentException("configuration entry truncated: needs " + end + " > " + limit);
        }
    }
}
