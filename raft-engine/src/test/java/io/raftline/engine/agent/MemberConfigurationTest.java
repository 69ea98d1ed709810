package io.raftline.engine.agent;

import io.raftline.engine.core.RaftConfig;
import io.raftline.log.Durability;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

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
        return new MemberContext().memberId(0).members("0,1,2").storage(StorageType.MEMORY)
            .service(new CounterService());
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
        // Text is read in one place, where the system properties (and the samples' options) are: a bad value is
        // refused there, by the same parsers, with the messages the context used to give at conclude().
        assertMessage("unknown durability 'sometimes': expected none, batch or each",
            () -> withProperty(MemberConfiguration.DURABILITY_PROP_NAME, "sometimes", () -> valid().conclude()));
        assertMessage("storage=tape must be file or memory",
            () -> withProperty(MemberConfiguration.STORAGE_PROP_NAME, "tape", () -> valid().conclude()));
        assertMessage("electionTimeoutMinNs=10000000 must be > heartbeatIntervalNs=20000000",
            () -> valid().electionTimeoutNs(10_000_000L, 40_000_000L).heartbeatIntervalNs(20_000_000L).conclude());
        assertMessage("sessionTimeoutNs=100000000 must be > electionTimeoutMaxNs=200000000 so sessions survive a " +
            "failover", () -> valid().sessionTimeoutNs(100_000_000L).conclude());
        assertMessage("unknown idle strategy 'lazy': expected busy, noop, yield, backoff or sleep-<duration>",
            () -> withProperty(MemberConfiguration.IDLE_STRATEGY_PROP_NAME, "lazy", () -> valid().conclude()));
        assertMessage("idleStrategy=sleep-20ms sleeps more than an eighth of electionTimeoutMinNs=100000000",
            () -> withProperty(MemberConfiguration.IDLE_STRATEGY_PROP_NAME, "sleep-20ms",
                () -> valid().electionTimeoutNs(100_000_000L, 200_000_000L).conclude()));
        assertMessage("idleStrategy=sleep-20ms sleeps more than an eighth of electionTimeoutMinNs=100000000",
            () -> valid().idleStrategy(IdleStrategyType.SLEEP, 20_000_000L)
                .electionTimeoutNs(100_000_000L, 200_000_000L).conclude());
        valid().idleStrategy(IdleStrategyType.SLEEP, 1_000_000L).electionTimeoutNs(100_000_000L, 200_000_000L)
            .conclude();
        withProperty(MemberConfiguration.IDLE_STRATEGY_PROP_NAME, "sleep-1ms",
            () -> valid().electionTimeoutNs(100_000_000L, 200_000_000L).conclude());
        assertThrows(IllegalArgumentException.class, () -> valid().maxCommandLength(1 << 20).conclude(),
            "a command that cannot fit a frame");
    }

    @Test
    void concludesOnce()
    {
        final MemberContext ctx = valid().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }

    @Test
    void settingsAreTypedFromTheirProperties()
    {
        final MemberContext fromProperties = withProperty(MemberConfiguration.DURABILITY_PROP_NAME, "BATCH",
            () -> withProperty(MemberConfiguration.STORAGE_PROP_NAME, "memory",
            () -> withProperty(MemberConfiguration.IDLE_STRATEGY_PROP_NAME, "sleep-500us",
            () -> withProperty(MemberConfiguration.HEARTBEAT_INTERVAL_PROP_NAME, "15ms",
            () -> new MemberContext().memberId(0).members("0,1,2").service(new CounterService())))));
        assertEquals(Durability.BATCH, fromProperties.durability());
        assertEquals(StorageType.MEMORY, fromProperties.storage());
        assertEquals(IdleStrategyType.SLEEP, fromProperties.idleStrategyType());
        fromProperties.conclude();
        assertEquals(15_000_000L, fromProperties.raftConfig().heartbeatIntervalNs());
        assertTrue(fromProperties.idleStrategy() instanceof SleepingIdleStrategy);

        final MemberContext defaults = valid();
        assertEquals(MemberConfiguration.DURABILITY_DEFAULT, defaults.durability());
        assertEquals(IdleStrategyType.YIELD, defaults.idleStrategyType());
        final RaftConfig config = defaults.conclude().raftConfig();
        assertEquals(RaftConfig.ELECTION_TIMEOUT_MIN_DEFAULT_NS, config.electionTimeoutMinNs());
        assertEquals(RaftConfig.ELECTION_TIMEOUT_MAX_DEFAULT_NS, config.electionTimeoutMaxNs());
        assertEquals(RaftConfig.HEARTBEAT_INTERVAL_DEFAULT_NS, config.heartbeatIntervalNs());
        assertEquals(MemberConfiguration.SNAPSHOT_INTERVAL_ENTRIES_DEFAULT, config.snapshotIntervalEntries());
        assertEquals(MemberConfiguration.COMPACTION_RETAIN_ENTRIES_DEFAULT, config.compactionRetainEntries());
    }

    @Test
    void malformedPropertiesAreRefusedNotDefaulted()
    {
        assertMessage("raftline.max.sessions=lots must be an integer",
            () -> withProperty(MemberConfiguration.MAX_SESSIONS_PROP_NAME, "lots", MemberContext::new));
        assertMessage("raftline.pre.vote=yes must be true or false",
            () -> withProperty(MemberConfiguration.PRE_VOTE_PROP_NAME, "yes", MemberContext::new));
        assertThrows(IllegalArgumentException.class,
            () -> withProperty(MemberConfiguration.HEARTBEAT_INTERVAL_PROP_NAME, "soon", MemberContext::new));
    }

    @Test
    void settingsOnceUnreachableCanBeSet()
    {
        final MemberContext ctx = valid();
        ctx.raft().preVote(false).checkQuorum(false).maxAppliesPerCycle(7).maxInflightSnapshotChunks(3);
        final RaftConfig config = ctx.conclude().raftConfig();
        assertFalse(config.isPreVoteEnabled());
        assertFalse(config.isCheckQuorumEnabled());
        assertEquals(7, config.maxAppliesPerCycle());
        assertEquals(3, config.maxInflightSnapshotChunks());

        final RaftConfig fromProperties = withProperty(MemberConfiguration.PRE_VOTE_PROP_NAME, "false",
            () -> withProperty(MemberConfiguration.CHECK_QUORUM_PROP_NAME, "false",
            () -> withProperty(MemberConfiguration.MAX_APPLIES_PER_CYCLE_PROP_NAME, "9",
            () -> withProperty(MemberConfiguration.MAX_INFLIGHT_SNAPSHOT_CHUNKS_PROP_NAME, "2", () -> valid()))))
            .conclude().raftConfig();
        assertFalse(fromProperties.isPreVoteEnabled());
        assertFalse(fromProperties.isCheckQuorumEnabled());
        assertEquals(9, fromProperties.maxAppliesPerCycle());
        assertEquals(2, fromProperties.maxInflightSnapshotChunks());

        final RaftConfig defaults = valid().conclude().raftConfig();
        assertTrue(defaults.isPreVoteEnabled());
        assertTrue(defaults.isCheckQuorumEnabled());
        assertEquals(RaftConfig.MAX_APPLIES_PER_CYCLE_DEFAULT, defaults.maxAppliesPerCycle());
        assertEquals(RaftConfig.MAX_INFLIGHT_SNAPSHOT_CHUNKS_DEFAULT, defaults.maxInflightSnapshotChunks());
        assertTrue(defaults.appendsLeaderNoop(), "sessions need the leader's no-op");
    }

    @Test
    void coreSettingsAreValidatedWithBothValuesNamed()
    {
        final MemberContext noApplies = valid();
        noApplies.raft().maxAppliesPerCycle(0);
        assertMessage("maxAppliesPerCycle=0 must be >= 1", noApplies::conclude);
        final MemberContext noChunks = valid();
        noChunks.raft().maxInflightSnapshotChunks(0);
        assertMessage("maxInflightSnapshotChunks=0 must be >= 1", noChunks::conclude);
        assertMessage("compactionRetainEntries=-1 must be >= 0", () -> valid().compactionRetainEntries(-1).conclude());
        assertMessage("electionTimeoutMaxNs=100000000 must be > electionTimeoutMinNs=100000000",
            () -> valid().electionTimeoutNs(100_000_000L, 100_000_000L).conclude());
        assertMessage("heartbeatIntervalNs=0 must be > 0", () -> valid().heartbeatIntervalNs(0).conclude());
        assertMessage("memberId=3 is not in memberIds=[0, 1, 2]",
            () -> RaftConfig.builder().memberId(3).memberIds(0, 1, 2).build());
        assertMessage("idleStrategy=sleep-0ms must sleep > 0",
            () -> valid().idleStrategy(IdleStrategyType.SLEEP, 0).conclude());
    }

    @Test
    void copiesDoNotShareTheCoreSettings()
    {
        final MemberContext template = valid().heartbeatIntervalNs(10_000_000L);
        final MemberContext copy = template.copy().heartbeatIntervalNs(30_000_000L);
        assertEquals(10_000_000L, template.conclude().raftConfig().heartbeatIntervalNs());
        assertEquals(30_000_000L, copy.conclude().raftConfig().heartbeatIntervalNs());
    }

    @Test
    void raftConfigIsAnImmutableValue()
    {
        final int[] ids = {0, 1, 2};
        final RaftConfig config = RaftConfig.builder().memberId(0).memberIds(ids).build();
        ids[0] = 9;
        config.memberIds()[1] = 9;
        assertEquals(List.of(0, 1, 2), List.of(config.memberIdAt(0), config.memberIdAt(1), config.memberIdAt(2)));
        final RaftConfig changed = config.toBuilder().heartbeatIntervalNs(5_000_000L).build();
        assertEquals(RaftConfig.HEARTBEAT_INTERVAL_DEFAULT_NS, config.heartbeatIntervalNs());
        assertEquals(5_000_000L, changed.heartbeatIntervalNs());
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
