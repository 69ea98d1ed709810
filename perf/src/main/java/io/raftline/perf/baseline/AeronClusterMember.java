package io.raftline.perf.baseline;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One member of the Aeron Cluster baseline, set up as on the reference host: its own embedded media driver (SHARED
 * threading, its directory in shared memory), an archive (SHARED), a consensus module and a clustered service
 * container running {@link CounterClusteredService}; yielding idle strategies everywhere; file sync level 0.
 * Consensus, log, catch-up and archive traffic go over UDP on 127.0.0.1. The consensus module accepts IPC ingress
 * when it leads, so a client attached to the leader's driver can skip the network.
 */
final class AeronClusterMember implements AutoCloseable
{
    /**
     * UDP endpoints of one member, in the order of Aeron's cluster members string.
     *
     * @param ingressPort   of client ingress over UDP.
     * @param consensusPort of consensus messages between members.
     * @param logPort       where a follower receives the replicated log.
     * @param catchupPort   where a lagging follower receives the catch-up replay.
     * @param archivePort   of the archive's control channel (log replication from the leader's archive).
     */
    record Endpoints(int ingressPort, int consensusPort, int logPort, int catchupPort, int archivePort)
    {
        static final int PORT_COUNT = 5;

        String membersEntry(final int memberId)
        {
            return memberId + "," + host(ingressPort) + "," + host(consensusPort) + "," + host(logPort) + "," +
                host(catchupPort) + "," + host(archivePort);
        }

        private static String host(final int port)
        {
            return "127.0.0.1:" + port;
        }
    }

    private static final String REPLICATION_CHANNEL = "aeron:udp?endpoint=127.0.0.1:0";

    private final int memberId;
    private final CounterClusteredService service = new CounterClusteredService();
    private final CountDownLatch terminated = new CountDownLatch(2);
    private MediaDriver driver;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;

    private AeronClusterMember(final int memberId)
    {
        this.memberId = memberId;
    }

    /**
     * Launch the member's driver, archive, consensus module and service container, in that order.
     *
     * @param memberId       of this member.
     * @param clusterMembers Aeron's cluster members string of every member.
     * @param endpoints      of this member.
     * @param driverDir      of this member's media driver (in shared memory).
     * @param storageDir     of this member's archive and cluster files.
     * @param errors         collects every component's errors.
     * @return the running member.
     */
    static AeronClusterMember launch(
        final int memberId,
        final String clusterMembers,
        final Endpoints endpoints,
        final String driverDir,
        final File storageDir,
        final AeronErrors errors)
    {
        final AeronClusterMember member = new AeronClusterMember(memberId);
        try
        {
            member.launchComponents(clusterMembers, endpoints, driverDir, storageDir, errors);
            return member;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(member);
            throw ex;
        }
    }

    /**
     * The media driver of an Aeron Cluster member or client in the baselines: one shared thread that yields when
     * idle, its directory deleted on start and on shutdown.
     *
     * @param dir    of the driver.
     * @param errors where the driver reports errors.
     * @return the running driver.
     */
    static MediaDriver launchDriver(final String dir, final AeronErrors errors)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new YieldingIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .errorHandler(errors));
    }

    private void launchComponents(
        final String clusterMembers,
        final Endpoints endpoints,
        final String driverDir,
        final File storageDir,
        final AeronErrors errors)
    {
        final File clusterDir = new File(storageDir, "cluster");
        driver = launchDriver(driverDir, errors);

        archive = Archive.launch(new Archive.Context()
            .aeronDirectoryName(driverDir)
            .archiveDir(new File(storageDir, "archive"))
            .deleteArchiveOnStart(true)
            .controlChannel("aeron:udp?endpoint=127.0.0.1:" + endpoints.archivePort())
            .replicationChannel(REPLICATION_CHANNEL)
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(YieldingIdleStrategy::new)
            .fileSyncLevel(0)
            .catalogFileSyncLevel(0)
            .errorHandler(errors));

        consensusModule = ConsensusModule.launch(new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(clusterMembers)
            .clusterDir(clusterDir)
            .deleteDirOnStart(true)
            .aeronDirectoryName(driverDir)
            .ingressChannel("aeron:udp")
            .isIpcIngressAllowed(true)
            .replicationChannel(REPLICATION_CHANNEL)
            .idleStrategySupplier(YieldingIdleStrategy::new)
            .fileSyncLevel(0)
            .terminationHook(terminated::countDown)
            .errorHandler(errors));

        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(driverDir)
            .clusterDir(clusterDir)
            .clusteredService(service)
            .idleStrategySupplier(YieldingIdleStrategy::new)
            .terminationHook(terminated::countDown)
            .errorHandler(errors));
    }

    /**
     * @return this member's id.
     */
    int memberId()
    {
        return memberId;
    }

    /**
     * @return the directory of this member's media driver, for a client to attach to.
     */
    String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * @return the counter service of this member.
     */
    CounterClusteredService service()
    {
        return service;
    }

    /**
     * @return the role of this member according to its consensus module (read from its role counter).
     */
    Cluster.Role role()
    {
        return Cluster.Role.get(consensusModule.context().clusterNodeRoleCounter());
    }

    /**
     * @return whether this member's consensus module has run an election to its end: it leads, or follows a live log.
     */
    boolean hasJoined()
    {
        final ConsensusModule.Context ctx = consensusModule.context();
        return ctx.electionCounter().get() > 0 && ElectionState.CLOSED == ElectionState.get(ctx.electionStateCounter());
    }

    /**
     * @return the state of the consensus module's election, CLOSED when there is none.
     */
    ElectionState electionState()
    {
        return ElectionState.get(consensusModule.context().electionStateCounter());
    }

    /**
     * @return the consensus module's election and heartbeat settings, for a report.
     */
    String electionSettings()
    {
        final ConsensusModule.Context ctx = consensusModule.context();
        return "leaderHeartbeatTimeoutNs=" + ctx.leaderHeartbeatTimeoutNs() +
            " leaderHeartbeatIntervalNs=" + ctx.leaderHeartbeatIntervalNs() +
            " electionTimeoutNs=" + ctx.electionTimeoutNs() +
            " electionStatusIntervalNs=" + ctx.electionStatusIntervalNs() +
            " startupCanvassTimeoutNs=" + ctx.startupCanvassTimeoutNs();
    }

    /**
     * Ask the whole cluster to stop without a snapshot (what {@code ClusterTool abort} does); only a leader acts on
     * it. Every member then terminates at the same log position and runs its termination hooks.
     *
     * @return whether the request was placed.
     */
    boolean requestAbort()
    {
        return ClusterControl.ToggleState.ABORT.toggle(consensusModule.context().controlToggleCounter());
    }

    /**
     * @param timeoutNs to wait at most.
     * @return whether both the consensus module and the service container ran their termination hooks.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean awaitTermination(final long timeoutNs) throws InterruptedException
    {
        return terminated.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Close the service container, consensus module, archive and media driver (which deletes its directory).
     */
    public void close()
    {
        CloseHelper.closeAll(container, consensusModule, archive, driver);
    }
}
