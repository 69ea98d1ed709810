package io.raftline.engine.agent;

import io.raftline.engine.client.ClientContext;
import io.raftline.engine.client.RaftAdmin;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * An admin request whose member crashes before it answers goes on to the next leader. The admin sends a request once
 * and waits for that member's answer (sending it again to every new leader ran transfers twice); when that member is
 * gone, it must not wait for its whole timeout. With the send-once admin of e2fa915, which gave up on nobody, this
 * request timed out.
 */
@Timeout(60)
class AdminFailoverTest
{
    private LocalCluster cluster;
    private RaftAdmin admin;

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(admin, cluster);
    }

    @Test
    void aRequestWhoseLeaderCrashesBeforeItAnswersGoesToTheNextLeader() throws Exception
    {
        cluster = LocalCluster.start(5, LocalClusterIpcTest.template(), (id) -> new CounterService());
        Await.until("a leader", 10_000, () -> cluster.leaderId() >= 0);
        final int leader = cluster.leaderId();
        admin = RaftAdmin.connect(new ClientContext()
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .members(cluster.membersString())
            .commandTimeoutNs(20_000_000_000L));

        // A transfer to a crashed member: the leader answers only when it gives the transfer up, an election timeout
        // or more later, so there is time to crash it with the request taken and unanswered.
        final int target = (leader + 1) % 5;
        cluster.crash(target);
        final long requestsBefore = cluster.member(leader).counters().adminRequests.get();
        final CompletableFuture<RaftAdmin.Result> outcome =
            CompletableFuture.supplyAsync(() -> admin.transferLeadership(target));
        Await.until("the leader took the request", 10_000,
            () -> cluster.member(leader).counters().adminRequests.get() > requestsBefore);
        cluster.crash(leader);

        final RaftAdmin.Result result = outcome.get(30, TimeUnit.SECONDS);
        assertNotEquals("TIMED_OUT", result.code(), result::toString);
        assertNotEquals(leader, result.responderId(), result::toString);
        assertEquals(cluster.leaderId(), result.responderId(), "the new leader answered: " + result);
    }
}
