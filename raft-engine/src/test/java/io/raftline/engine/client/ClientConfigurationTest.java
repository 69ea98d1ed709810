package io.raftline.engine.client;

import io.raftline.engine.agent.MemberConfiguration;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's settings come typed from one place, its properties, and wrong ones are refused with their values.
 */
class ClientConfigurationTest
{
    private static ClientContext valid()
    {
        return new ClientContext().members("0,1,2").aeronDirectoryName("/nowhere")
            .listener((correlationId, outcome, logIndex, buffer, offset, length) -> {});
    }

    @Test
    void settingsStartFromTheirProperties()
    {
        final ClientContext ctx = withProperty(ClientConfiguration.CONNECT_TIMEOUT_PROP_NAME, "3s",
            () -> withProperty(ClientConfiguration.KEEP_ALIVE_INTERVAL_PROP_NAME, "250ms",
            () -> withProperty(ClientConfiguration.MAX_INFLIGHT_PROP_NAME, "16",
            () -> withProperty(ClientConfiguration.IDLE_STRATEGY_PROP_NAME, "busy",
            () -> withProperty(MemberConfiguration.INGRESS_STREAM_BASE_PROP_NAME, "3000", ClientContext::new)))));
        assertEquals(3_000_000_000L, ctx.connectTimeoutNs());
        assertEquals(250_000_000L, ctx.keepAliveIntervalNs());
        assertEquals(16, ctx.maxInflight());
        assertEquals(3000, ctx.ingressStreamBase());
        assertTrue(ctx.idleStrategy() instanceof BusySpinIdleStrategy);

        final ClientContext defaults = valid().conclude();
        assertEquals(ClientConfiguration.COMMAND_TIMEOUT_DEFAULT_NS, defaults.commandTimeoutNs());
        assertEquals(ClientConfiguration.LEADER_TIMEOUT_DEFAULT_NS, defaults.leaderTimeoutNs());
        assertEquals(ClientConfiguration.MAX_INFLIGHT_DEFAULT, defaults.maxInflight());
        assertEquals(MemberConfiguration.MAX_COMMAND_LENGTH_DEFAULT, defaults.maxCommandLength());
        assertEquals("aeron:ipc", defaults.egressChannel());
    }

    @Test
    void malformedPropertiesAreRefused()
    {
        assertMessage("raftline.client.max.inflight=many must be an integer",
            () -> withProperty(ClientConfiguration.MAX_INFLIGHT_PROP_NAME, "many", ClientContext::new));
        assertMessage("unknown idle strategy 'lazy': expected busy, noop, yield, backoff or sleep-<duration>",
            () -> withProperty(ClientConfiguration.IDLE_STRATEGY_PROP_NAME, "lazy", ClientContext::new));
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheirValues()
    {
        assertMessage("leaderTimeoutNs=5000000000 must be < commandTimeoutNs=5000000000",
            () -> valid().leaderTimeoutNs(5_000_000_000L).conclude());
        assertMessage("maxInflight=0 must be >= 1", () -> valid().maxInflight(0).conclude());
        assertMessage("maxCommandLength=-1 must be >= 0, connectTimeoutNs=10000000000, keepAliveIntervalNs=" +
            "1000000000 and leaderTimeoutNs=500000000 > 0", () -> valid().maxCommandLength(-1).conclude());
        assertMessage("either aeron or aeronDirectoryName must be set",
            () -> valid().aeronDirectoryName(null).conclude());
    }

    private static <T> T withProperty(final String name, final String value, final Supplier<T> action)
    {
        final String previous = System.getProperty(name);
        System.setProperty(name, value);
        try
        {
            return action.get();
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(name);
            }
            else
            {
                System.setProperty(name, previous);
            }
        }
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, ex.getMessage());
    }
}
