package io.raftline.samples;

import io.raftline.engine.agent.MemberContext;
import io.raftline.engine.agent.MemberStorage;
import io.raftline.engine.agent.RaftMember;
import io.raftline.engine.agent.StorageType;
import io.raftline.engine.core.RaftRole;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test build of the counter's member ({@code node}) that the namespace nemeses run: the same member, with a log
 * whose sync can be stalled from outside, and a last line with its state when it stops.
 * <ul>
 *     <li>{@code --stall-file FILE}: when FILE appears, holding a number of milliseconds, the member's log sync blocks
 *     for that long from then on (FILE is removed when read).</li>
 *     <li>When it becomes leader it prints {@code LEADER term=<term> ns=<System.nanoTime()>} (checked every 5 ms), so
 *     the harness can time a failover on the members' own clock rather than on its sampling.</li>
 *     <li>If the member stops on an error it prints a line starting {@code FAILED}.</li>
 *     <li>On SIGTERM it prints {@code FINAL member=<id> value=<counter> applied=<index>} before it closes.</li>
 * </ul>
 */
@Command(name = "nemesis-node")
public final class NemesisNode implements Callable<Integer>
{
    @Mixin
    NodeOptions node;

    @Option(names = "--stall-file", required = true)
    Path stallFile;

    /**
     * @param args the {@code node} command's options and {@code --stall-file}.
     */
    public static void main(final String[] args)
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.exit(Main.commandLine(new NemesisNode(), new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)).execute(args));
    }

    /**
     * Run the member until SIGTERM.
     *
     * @return 0.
     */
    public Integer call()
    {
        final CounterService service = new CounterService();
        final MemberStorage.Factory files = fileStorage();
        final AtomicReference<StallingRaftLog> log = new AtomicReference<>();
        final MemberContext ctx = node.context().service(service).storageFactory((memberCtx) ->
        {
            final MemberStorage storage = files.open(memberCtx);
            log.set(new StallingRaftLog(storage.log()));
            return new MemberStorage(log.get(), storage.metadata(), storage.snapshots());
        });
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            RaftMember member = RaftMember.launch(ctx))
        {
            final Thread watcher = new Thread(() -> watch(stallFile, log.get(), member), "stall-watcher");
            watcher.setDaemon(true);
            watcher.start();
            System.out.println("READY member=" + ctx.memberId() + " aeron=" + member.aeronDirectoryName());
            System.out.flush();
            barrier.await();
            System.out.println("FINAL member=" + ctx.memberId() + " value=" + service.value() + " applied=" +
                service.appliedIndex());
            System.out.flush();
        }
        return 0;
    }

    /**
     * The default file storage: a context concluded for nothing else hands out the factory it would use.
     */
    private static MemberStorage.Factory fileStorage()
    {
        return new MemberContext().memberId(0).members("0").storage(StorageType.FILE).service(new CounterService())
            .conclude().storageFactory();
    }

    private static void watch(final Path stallFile, final StallingRaftLog log, final RaftMember member)
    {
        long leaderTerm = -1;
        boolean hasReportedFailure = false;
        while (true)
        {
            try
            {
                if (member.isFailed() && !hasReportedFailure)
                {
                    // A member that stopped on an error (a RaftSafetyException among them) fails the run at once.
                    hasReportedFailure = true;
                    System.out.println("FAILED member stopped on an error (its log above says which)");
                    System.out.flush();
                }
                if (RaftRole.LEADER == member.role() && member.term() != leaderTerm)
                {
                    leaderTerm = member.term();
                    System.out.println("LEADER term=" + leaderTerm + " ns=" + System.nanoTime());
                    System.out.flush();
                }
                if (Files.exists(stallFile))
                {
                    final long ms = Long.parseLong(Files.readString(stallFile, StandardCharsets.UTF_8).trim());
                    Files.delete(stallFile);
                    log.stallFor(ms * 1_000_000L);
                    System.out.println("STALL sync for " + ms + " ms");
                    System.out.flush();
                }
                Thread.sleep(5);
            }
            catch (final IOException | NumberFormatException ex)
            {
                System.out.println("stall watcher: " + ex);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }
}
