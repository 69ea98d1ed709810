package io.raftline.engine.client;

import io.raftline.codecs.ClusterMembersEventDecoder;
import org.agrona.DirectBuffer;

/**
 * Reads the leader's news of the configuration (ClusterMembersEvent) for a {@link RaftClient}: a member the client
 * was not started with is added, so that the client asks it for the session and can follow it when it leads.
 * Members are never dropped here: a removed member answers nothing, which costs nothing but a connect frame.
 */
final class ClusterMembersEvents
{
    private final ClusterMembersEventDecoder decoder = new ClusterMembersEventDecoder();

    void onEvent(final RaftClient client, final long sessionId, final DirectBuffer buffer, final int offset,
        final int blockLength, final int version)
    {
        decoder.wrap(buffer, offset, blockLength, version);
        if (decoder.clientSessionId() != sessionId)
        {
            // News for another session; a client without one (0) hears what a follower tells it on connect.
            return;
        }
        for (final ClusterMembersEventDecoder.MembersDecoder member : decoder.members())
        {
            final int memberId = member.memberId();
            final String endpoint = member.endpoint();
            if (memberId >= 0)
            {
                client.addMember(memberId, endpoint);
            }
        }
    }
}
