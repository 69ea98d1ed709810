package io.raftline.engine.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EgressRouteTest
{
    private static final ResponseListener IGNORE = (correlationId, outcome, logIndex, buffer, offset, length) -> {};

    @Test
    void aClusterOnLoopbackGetsALoopbackEgress()
    {
        final ClientContext ctx = new ClientContext().aeronDirectoryName("unused").listener(IGNORE)
            .members("0@127.0.0.1:20000,1@127.0.0.1:20001,2@127.0.0.1:20002").conclude();

        assertEquals("aeron:udp?endpoint=127.0.0.1:0", ctx.egressChannel());
    }

    @Test
    void anIpcClusterGetsAnIpcEgress()
    {
        final ClientContext ctx = new ClientContext().aeronDirectoryName("unused").listener(IGNORE)
            .members("0,1,2").conclude();

        assertEquals("aeron:ipc", ctx.egressChannel());
    }

    @Test
    void thePropertyWinsOverThePick()
    {
        final String channel = "aeron:udp?endpoint=127.0.0.2:0";
        System.setProperty(ClientConfiguration.EGRESS_CHANNEL_PROP_NAME, channel);
        try
        {
            final ClientContext ctx = new ClientContext().aeronDirectoryName("unused").listener(IGNORE)
                .members("0@127.0.0.1:20000").conclude();

            assertEquals(channel, ctx.egressChannel());
        }
        finally
        {
            System.clearProperty(ClientConfiguration.EGRESS_CHANNEL_PROP_NAME);
        }
    }

    @Test
    void anExplicitChannelWinsOverTheProperty()
    {
        System.setProperty(ClientConfiguration.EGRESS_CHANNEL_PROP_NAME, "aeron:udp?endpoint=127.0.0.2:0");
        try
        {
            final ClientContext ctx = new ClientContext().aeronDirectoryName("unused").listener(IGNORE)
                .members("0@127.0.0.1:20000").egressChannel("aeron:udp?endpoint=127.0.0.3:4000").conclude();

            assertEquals("aeron:udp?endpoint=127.0.0.3:4000", ctx.egressChannel());
        }
        finally
        {
            System.clearProperty(ClientConfiguration.EGRESS_CHANNEL_PROP_NAME);
        }
    }
}
