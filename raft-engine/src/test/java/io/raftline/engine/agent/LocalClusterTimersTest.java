package io.raftline.engine.agent;

import io.raftline.engine.ClusterRole;
import io.raftline.engine.EgressResult;
import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftClient;
import io.raftline.engine.client.ResponseListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service timers and egress on a real 3-member IPC cluster: each timer fires once, at the same index and cluster
 * time on every member (also on a member that restarts from its snapshot and replays), never before its deadline;
 * a cancelled one never fires; the owner's session receives each firing as a message, once, in log order; a new
 * leader fires what the crashed one left due; a message to a closed session is CLOSED on every member.
 */
@Timeout(120)
class LocalClusterTimersTest
{
    private static final long MS = 1_000_000L;

    private final List<TimerEgressService> instances = Collections.synchronizedList(new ArrayList<>());
    private final TimerEgressService[] services = new TimerEgressService[3];
    private final List<long[]> received = new ArrayList<>();
    private final long[] acked = new long[1];
    private LocalCluster cluster;
    private RaftClient client;

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    private RaftClient connect(final List<long[]> messages)
    {
        return RaftClient.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .leaderTimeoutNs(300 * MS)
            .listener(new ResponseListener()
            {
                public void onResponse(final long correlationId, final int outcome, final long logIndex,
                    final DirectBuffer buffer, final int offset, final int length)
                {
                    assertEquals(ResponseListener.OK, outcome);
                    acked[0]++;
                }

                public void onMessage(final long clientSessionId, final long logIndex, final long timestamp,
                    final DirectBuffer buffer, final int offset, final int length)
                {
                    messages.add(new long[]{buffer.getLong(offset), logIndex, timestamp, buffer.getLong(offset + 8)});
                }
            }));
    }

    private void send(final RaftClient to, final UnsafeBuffer command)
    {
        final long target = acked[0] + 1;
        while (to.offer(command, 0, command.capacity()) <= 0)
        {
            to.poll();
        }
        while (acked[0] < target)
        {
            to.poll();
        }
    }

    @Test
    void timersFireOnceEverywhereAtTheSameIndexAndReachTheirSessionAcrossAFailover()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template().snapshotInterval(40, 0)
            .compactionRetainEntries(5), (id) ->
            {
                services[id] = new TimerEgressService();
                instances.add(services[id]);
                return services[id];
            });
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        client = connect(received);

        // 60 timers due within 100 ms; every tenth cancelled while it is still far from due.
        for (int i = 1; i <= 60; i++)
        {
            final boolean isCancelled = i % 10 == 0;
            send(client, TimerEgressService.command(TimerEgressService.SCHEDULE, i, isCancelled ? 60_000 * MS :
                (i % 7) * 15 * MS));
            if (isCancelled)
            {
                send(client, TimerEgressService.command(TimerEgressService.CANCEL, i, 0));
            }
        }
        awaitMessages(54);

        // 20 timers due in 600 ms, then the leader dies before any is due: the new leader fires them.
        for (int i = 61; i <= 80; i++)
        {
            send(client, TimerEgressService.command(TimerEgressService.SCHEDULE, i, 600 * MS));
        }
        final int crashed = cluster.leaderId();
        cluster.crash(crashed);
        awaitMessages(74);
        assertTrue(client.leaderChanges() >= 1);
        cluster.restart(crashed);

        // A session that closes before its timer fires: every member's offer says CLOSED.
        final List<long[]> ignored = new ArrayList<>();
        final RaftClient leaving = connect(ignored);
        send(leaving, TimerEgressService.command(TimerEgressService.SCHEDULE, 99, 400 * MS));
        leaving.close();
        for (final TimerEgressService service : services)
        {
            Await.until("every member fired timer 99", 20_000,
                () -> new ArrayList<>(service.firings).stream().anyMatch((firing) -> 99 == firing.timerId()));
        }

        final Map<Long, TimerEgressService.Firing> reference = checkEveryFiringAgrees();
        assertEquals(75, reference.size(), "54 + 20 timers and timer 99 fired");
        final TimerEgressService restarted = services[crashed];
        Await.until("the restarted member replayed every firing", 20_000, () -> restarted.firings.size() > 0 &&
            new ArrayList<>(restarted.firings).stream().anyMatch((firing) -> 99 == firing.timerId()));
        assertTrue(restarted.events.get(0).startsWith("loaded "), "restored from its snapshot first: " +
            restarted.events);
        assertTrue(restarted.events.get(1).startsWith("start applied=0 time="), "onStart after the snapshot, " +
            "before replay: " + restarted.events);
        assertFalse(restarted.events.get(1).endsWith("time=0"), "the snapshot's time: " + restarted.events);

        // The client got each firing once, in log order, with its entry's time.
        assertEquals(74, received.size());
        long previousIndex = 0;
        for (final long[] message : received)
        {
            assertTrue(message[1] > previousIndex, "messages in log order");
            previousIndex = message[1];
            final TimerEgressService.Firing firing = reference.get(message[0]);
            assertEquals(firing.index(), message[1]);
            assertEquals(firing.timestamp(), message[2]);
        }

        // Role events and session events.
        assertTrue(instances.get(crashed).roles.contains(ClusterRole.LEADER), "the first leader was told");
        assertTrue(services[cluster.leaderId()].roles.contains(ClusterRole.LEADER));
        for (final TimerEgressService service : services)
        {
            Await.until("the closed session's close reached every member", 20_000,
                () -> new ArrayList<>(service.events).stream().anyMatch((event) -> event.endsWith(" CLIENT_CLOSED")));
        }
        assertTrue(new ArrayList<>(instances.get(0).events).stream().anyMatch((event) -> event.endsWith("at a time")),
            "a session opening carries its time: " + instances.get(0).events);
    }

    /**
     * Every instance, crashed, restarted or not, agrees on every firing it saw.
     */
    private Map<Long, TimerEgressService.Firing> checkEveryFiringAgrees()
    {
        final Map<Long, TimerEgressService.Firing> reference = new HashMap<>();
        for (final TimerEgressService service : new ArrayList<>(instances))
        {
            assertFalse(service.timeWentBack, "cluster time went back on a member");
            final List<Long> seen = new ArrayList<>();
            for (final TimerEgressService.Firing firing : new ArrayList<>(service.firings))
            {
                assertTrue(firing.timestamp() >= firing.deadline(), "fired before its deadline: " + firing);
                assertTrue(firing.timerId() > 60 || firing.timerId() % 10 != 0, "a cancelled timer fired: " +
                    firing);
                assertFalse(seen.contains(firing.timerId()), "fired twice on one member: " + firing);
                seen.add(firing.timerId());
                final TimerEgressService.Firing first = reference.putIfAbsent(firing.timerId(), firing);
                if (null != first)
                {
                    assertEquals(first.index(), firing.index(), "same index on every member: " + firing);
                    assertEquals(first.timestamp(), firing.timestamp(), "same time on every member: " + firing);
                }
                if (99 == firing.timerId())
                {
                    assertEquals(EgressResult.CLOSED, firing.egress(), "the owner's session had closed");
                }
                else
                {
                    assertEquals(EgressResult.SENT, firing.egress());
                }
            }
        }
        return reference;
    }

    @Test
    void broadcastReachesEverySessionAndASessionTheServiceClosesClosesEverywhereAsEvicted()
    {
        cluster = LocalCluster.start(3, LocalClusterIpcTest.template(), (id) ->
        {
            services[id] = new TimerEgressService();
            return services[id];
        });
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        client = connect(received);
        final List<long[]> otherReceived = new ArrayList<>();
        final RaftClient other = connect(otherReceived);
        final long sessionId = client.sessionId();
        send(client, TimerEgressService.command(TimerEgressService.BROADCAST, 1234, 0));
        final long deadline = System.nanoTime() + 20_000 * MS;
        while (received.isEmpty() || otherReceived.isEmpty())
        {
            client.poll();
            other.poll();
            assertTrue(System.nanoTime() < deadline, "both sessions receive the broadcast");
        }
        assertEquals(1234, received.get(0)[0]);
        assertEquals(1234, otherReceived.get(0)[0]);
        assertEquals(received.get(0)[1], otherReceived.get(0)[1], "one entry sent both");
        other.close();

        send(client, TimerEgressService.command(TimerEgressService.EVICT_ME, 0, 0));
        for (final TimerEgressService service : services)
        {
            Await.until("the eviction applied on every member", 10_000,
                () -> service.events.contains("close " + sessionId + " EVICTED"));
        }
        assertTrue(services[cluster.leaderId()].timerOutsideAnEntryRefused,
            "scheduleTimer from onRoleChange is refused");
    }

    private void awaitMessages(final int count)
    {
        final long deadline = System.nanoTime() + 20_000 * MS;
        while (received.size() < count)
        {
            client.poll();
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + count + " messages, got " + received.size());
            }
        }
    }
}
