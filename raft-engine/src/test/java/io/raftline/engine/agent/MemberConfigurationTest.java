package io.raftline.engine.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wrong configuration is refused with a message that names the values.
 */
class MemberConfigurationTest
{
    private static MemberContext valid()
    {
        return new MemberContext().memberId(0).members("0,1,2").storage("memory").service(new CounterService());
    }

    @Test
    void validSettingsConclude()
    {
        final MemberContext ctx = valid().conclude();
        assertTrue(ctx.clusterMembers().isIpc());
        assertEquals(3, ctx.raftConfig().memberCount());
    }

    @Test
    void parsesUdpMembers()
    {
        final ClusterMembers members = ClusterMembers.parse("0@127.0.0.1:20000, 1@127.0.0.1:20001,2@host:3");
        assertFalse(members.isIpc());
        assertEquals("aeron:udp?endpoint=127.0.0.1:20001", members.channel(1));
        assertEquals("0@127.0.0.1:20000,1@127.0.0.1:20001,2@host:3", members.toString());
    }

    @Test
    void refusesMalformedMembers()
    {
        assertMessage("member id 'x' in members \"x,1\" is not a number", () -> ClusterMembers.parse("x,1"));
        assertMessage("member id 1 appears twice in members \"0,1,1\"", () -> ClusterMembers.parse("0,1,1"));
        assertMessage("endpoint 'host' of member 0 must be host:port", () -> ClusterMembers.parse("0@host"));
        assertMessage("port 70000 of member 1 is out of range",
            () -> ClusterMembers.parse("0@h:1,1@h:70000"));
        assertMessage("either every member has an endpoint (UDP) or none (IPC): \"0@h:1,1\"",
            () -> ClusterMembers.parse("0@h:1,1"));
        assertMessage("members 0 and 1 share endpoint h:1", () -> ClusterMembers.parse("0@h:1,1@h:1"));
    }

    @Test
    void refusesInconsistentSettings()
    {
        assertMessage("memberId=5 is not one of members=0,1,2", () -> valid().memberId(5).conclude());
        assertMessage("service must be set: the RaftService this member replicates",
            () -> new MemberContext().memberId(0).members("0").conclude());
        assertMessage("unknown durability 'sometimes': expected none, batch or each",
            () -> valid().durability("sometimes").conclude());
        assertMessage("storage=tape must be file or memory", () -> valid().storage("tape").conclude());
        assertMessage("electionTimeoutMinNs=10000000 must be > heartbeatIntervalNs=20000000",
            () -> valid().electionTimeoutNs(10_000_000L, 40_000_000L).heartbeatIntervalNs(20_000_000L).conclude());
        assertMessage("sessionTimeoutNs=100000000 must be > electionTimeoutMaxNs=200000000 so sessions survive a " +
            "failover", () -> valid().sessionTimeoutNs(100_000_000L).conclude());
        assertMessage("unknown idle strategy 'lazy': expected busy, noop, yield, backoff or sleep-<duration>",
            () -> valid().idleStrategy("lazy").conclude());
        assertMessage("idleStrategy=sleep-20ms sleeps more than an eighth of electionTimeoutMinNs=100000000",
            () -> valid().idleStrategy("sleep-20ms").electionTimeoutNs(100_000_000L, 200_000_000L).conclude());
        valid().idleStrategy("sleep-1ms").electionTimeoutNs(100_000_000L, 200_000_000L).conclude();
        assertThrows(IllegalArgumentException.class, () -> valid().maxCommandLength(1 << 20).conclude(),
            "a command that cannot fit a frame");
    }

    @Test
    void concludesOnce()
    {
        final MemberContext ctx = valid().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, ex.getMessage());
    }
}
