package io.raftline.samples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterClientEgressTest
{
    @Test
    void aHostAloneGetsAnyFreePort()
    {
        assertEquals("aeron:udp?endpoint=10.77.0.100:0", CounterClient.egressChannel("10.77.0.100"));
    }

    @Test
    void aHostAndPortAreKept()
    {
        assertEquals("aeron:udp?endpoint=10.77.0.100:40123", CounterClient.egressChannel("10.77.0.100:40123"));
        assertEquals("aeron:udp?endpoint=client.example:9", CounterClient.egressChannel("client.example:9"));
    }

    @Test
    void ipv6AddressesGetBrackets()
    {
        assertEquals("aeron:udp?endpoint=[fd00::1]:0", CounterClient.egressChannel("fd00::1"));
        assertEquals("aeron:udp?endpoint=[fd00::1]:7000", CounterClient.egressChannel("[fd00::1]:7000"));
    }

    @Test
    void aBadPortIsNamed()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> CounterClient.egressChannel("10.77.0.100:99999"));
        assertTrue(ex.getMessage().contains("--egress must be host[:port]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CounterClient.egressChannel("host:x"));
        assertThrows(IllegalArgumentException.class, () -> CounterClient.egressChannel(":5"));
    }
}
