package io.raftline.samples;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network made of Linux network namespaces: a hub namespace holding a bridge, and one namespace per
 * node (member or client), each joined to the bridge by a veth pair and given the address {@code 10.77.0.<n>} on it.
 * The addresses exist only inside these namespaces, which are unique to this run; nothing here touches the host's
 * own network or sends a packet outside the namespaces it made.
 * <p>
 * Faults: a node's link can be taken down (its veth end in the hub), and each node namespace has an nftables table of
 * its own whose input and output chains are rewritten as faults come and go (one-way and two-way cuts, random loss).
 * <p>
 * Names are {@code rlnem<pid>-<node>}: on start, namespaces of earlier runs whose JVM is gone are removed (with the
 * processes still running in them, and the directories those processes left that the run listed in its
 * {@code rlnem<pid>-cleanup.txt} in the temporary directory); on close, and from a shutdown hook when the JVM exits
 * early, everything this run made is removed.
 */
final class NetNamespaces implements AutoCloseable
{
    static final String PREFIX = "rlnem";
    private static final String TABLE = "rlnem";
    private static final Pattern OWN_NAME = Pattern.compile("^" + PREFIX + "(\\d+)-.*");

    private final String run = PREFIX + ProcessHandle.current().pid();
    private final String hub = run + "-hub";
    private final Map<String, Integer> nodes = new LinkedHashMap<>();
    private final Map<Object, List<Rule>> rulesByOwner = new LinkedHashMap<>();
    private final Map<String, Set<Object>> linkDownOwners = new HashMap<>();
    private final Map<Object, Integer> ownerIds = new HashMap<>();
    private final Thread shutdownHook = new Thread(this::removeAll, "netns-cleanup");
    private final Path cleanupList = cleanupList(ProcessHandle.current().pid());
    private boolean isClosed;

    /**
     * One nftables rule in a node's namespace.
     *
     * @param node     whose namespace holds it.
     * @param isOutput output chain, else input.
     * @param rule     the rule's text, e.g. {@code ip saddr 10.77.0.10 drop}.
     */
    record Rule(String node, boolean isOutput, String rule)
    {
    }

    /**
     * @return null when network namespaces, veth pairs, bridges and nftables work here, else why not.
     */
    static String unavailableReason()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return "network namespaces need Linux, this is " + System.getProperty("os.name");
        }
        final String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        try
        {
            if (0 != exec(List.of("ip", "netns", "add", probe)).exitCode)
            {
                return "cannot create a network namespace (`ip netns add` needs root and iproute2): " +
                    exec(List.of("id", "-un")).output.trim();
            }
            final Result nft = exec(List.of("nsenter", "--net=/run/netns/" + probe, "nft", "add", "table", "inet",
                TABLE));
            if (0 != nft.exitCode)
            {
                return "nftables does not work in a namespace (install the nftables package): " + nft.output.trim();
            }
            final Result veth = exec(List.of("ip", "-n", probe, "link", "add", "probe0", "type", "veth", "peer",
                "name", "probe1"));
            if (0 != veth.exitCode)
            {
                return "cannot create a veth pair: " + veth.output.trim();
            }
            final Result bridge = exec(List.of("ip", "-n", probe, "link", "add", "probebr", "type", "bridge"));
            if (0 != bridge.exitCode)
            {
                return "cannot create a bridge: " + bridge.output.trim();
            }
            return null;
        }
        catch (final UncheckedIOException ex)
        {
            return "cannot run ip/nft: " + ex.getCause().getMessage();
        }
        finally
        {
            quietExec(List.of("ip", "netns", "del", probe));
        }
    }

    /**
     * Remove what earlier runs of this harness left (their JVM died before cleaning up), then make the hub.
     */
    NetNamespaces()
    {
        removeLeftovers();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        check(List.of("ip", "netns", "add", hub));
        check(List.of("ip", "-n", hub, "link", "set", "lo", "up"));
        check(List.of("ip", "-n", hub, "link", "add", "br0", "type", "bridge"));
        check(List.of("ip", "-n", hub, "link", "set", "br0", "up"));
    }

    /**
     * Add a node: its namespace, a veth pair to the bridge, its address and an empty nftables table.
     *
     * @param node     short name (letters and digits, at most 8).
     * @param hostByte last byte of its address {@code 10.77.0.<hostByte>}.
     * @return its address.
     */
    String addNode(final String node, final int hostByte)
    {
        final String ns = namespace(node);
        check(List.of("ip", "netns", "add", ns));
        nodes.put(node, hostByte);
        check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        check(List.of("ip", "-n", hub, "link", "add", hubLink(node), "type", "veth", "peer", "name", "eth0",
            "netns", ns));
        check(List.of("ip", "-n", hub, "link", "set", hubLink(node), "master", "br0"));
        check(List.of("ip", "-n", hub, "link", "set", hubLink(node), "up"));
        check(List.of("ip", "-n", ns, "addr", "add", address(node) + "/24", "dev", "eth0"));
        check(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
        createTable(node);
        return address(node);
    }

    /**
     * Add a namespace with only a loopback interface: nothing outside it is reachable.
     *
     * @param node short name.
     */
    void addIsolatedNode(final String node)
    {
        final String ns = namespace(node);
        check(List.of("ip", "netns", "add", ns));
        nodes.put(node, -1);
        check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
    }

    String address(final String node)
    {
        return "10.77.0." + nodes.get(node);
    }

    String namespace(final String node)
    {
        return run + "-" + node;
    }

    private static String hubLink(final String node)
    {
        return "v-" + node;
    }

    /**
     * Take a node's link down (no packet in or out of it) on behalf of a fault, or give it back; the link is up
     * again once no fault holds it down. Safe from several threads (a flapping link runs on its own).
     *
     * @param owner the fault.
     * @param node  its link.
     * @param isUp  up or down.
     */
    synchronized void link(final Object owner, final String node, final boolean isUp)
    {
        final Set<Object> owners = linkDownOwners.computeIfAbsent(node, (ignore) -> new HashSet<>());
        final boolean wasUp = owners.isEmpty();
        if (isUp)
        {
            owners.remove(owner);
        }
        else
        {
            owners.add(owner);
        }
        if (wasUp != owners.isEmpty())
        {
            check(List.of("ip", "-n", hub, "link", "set", hubLink(node), owners.isEmpty() ? "up" : "down"));
        }
    }

    /**
     * Add rules under an owner (a fault) and rewrite the tables of the nodes they concern.
     *
     * @param owner of the rules, to remove them together.
     * @param rules to add.
     */
    synchronized void addRules(final Object owner, final List<Rule> rules)
    {
        ownerIds.putIfAbsent(owner, ownerIds.size() + 1);
        rulesByOwner.computeIfAbsent(owner, (ignore) -> new ArrayList<>()).addAll(rules);
        rules.stream().map(Rule::node).distinct().forEach(this::applyRules);
    }

    /**
     * @param owner whose rules go.
     * @return how many packets they dropped while they were in force.
     */
    synchronized long removeRules(final Object owner)
    {
        final List<Rule> rules = rulesByOwner.remove(owner);
        long dropped = 0;
        if (null != rules)
        {
            final Pattern counter = Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"" +
                comment(owner) + "\"");
            for (final String node : rules.stream().map(Rule::node).distinct().toList())
            {
                final Matcher matcher = counter.matcher(exec(List.of("nsenter", "--net=/run/netns/" +
                    namespace(node), "nft", "list", "table", "inet", TABLE)).output);
                while (matcher.find())
                {
                    dropped += Long.parseLong(matcher.group(1));
                }
                applyRules(node);
            }
        }
        return dropped;
    }

    private String comment(final Object owner)
    {
        return "o" + ownerIds.get(owner);
    }

    private void createTable(final String node)
    {
        nft(node, "table inet " + TABLE + " {\n" +
            "    chain in {\n        type filter hook input priority 0; policy accept;\n    }\n" +
            "    chain out {\n        type filter hook output priority 0; policy accept;\n    }\n}\n");
    }

    private void applyRules(final String node)
    {
        // Flush and refill the chains, in one transaction: deleting the table would unregister its hooks, which
        // waits for an RCU grace period, and on a loaded machine that took seconds.
        final StringBuilder script = new StringBuilder("flush chain inet " + TABLE + " in\nflush chain inet " + TABLE +
            " out\n");
        for (final Map.Entry<Object, List<Rule>> entry : rulesByOwner.entrySet())
        {
            for (final Rule rule : entry.getValue())
            {
                if (rule.node().equals(node))
                {
                    // Each drop counted and tagged with its fault, so the heal can say how many packets it dropped.
                    script.append("add rule inet ").append(TABLE).append(rule.isOutput() ? " out " : " in ")
                        .append(rule.rule().replaceFirst(" drop$", "")).append(" counter drop comment \"")
                        .append(comment(entry.getKey())).append("\"\n");
                }
            }
        }
        nft(node, script.toString());
    }

    private void nft(final String node, final String script)
    {
        // nsenter joins the network namespace only; `ip netns exec` also makes a mount namespace, slower under load.
        final Result result = exec(List.of("nsenter", "--net=/run/netns/" + namespace(node), "nft", "-f", "-"),
            script);
        if (0 != result.exitCode)
        {
            throw new IllegalStateException("nft failed in " + namespace(node) + ": " + result.output + "\n" + script);
        }
    }

    /**
     * @param node    where to run.
     * @param command and its arguments.
     * @return the command prefixed so that it runs in the node's namespace.
     */
    List<String> inNamespace(final String node, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
        full.addAll(command);
        return full;
    }

    /**
     * Remove every namespace of this run (with the veth pairs in them) and the processes still inside.
     */
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            removeAll();
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignore)
            {
                // The JVM is exiting: the hook runs anyway.
            }
        }
    }

    /**
     * Remember a directory the processes of this run make (a member's media driver directory), to remove it when
     * they are gone, also when this JVM dies before it could.
     *
     * @param directory to remove at cleanup.
     */
    synchronized void deleteOnCleanup(final File directory)
    {
        try
        {
            Files.writeString(cleanupList, directory.getAbsolutePath() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path cleanupList(final long pid)
    {
        return Path.of(System.getProperty("java.io.tmpdir"), PREFIX + pid + "-cleanup.txt");
    }

    private synchronized void removeAll()
    {
        for (final String node : new ArrayList<>(nodes.keySet()))
        {
            removeNamespace(namespace(node));
        }
        removeNamespace(hub);
        removeListed(cleanupList);
    }

    /**
     * Remove the directories in a run's list once its processes are gone, and the list.
     */
    private static void removeListed(final Path list)
    {
        try
        {
            if (Files.exists(list))
            {
                for (final String line : Files.readAllLines(list, StandardCharsets.UTF_8))
                {
                    final File directory = new File(line.trim());
                    // Only what the list can hold: media driver directories of this harness's members.
                    if (directory.isAbsolute() && directory.getName().startsWith("raftline-"))
                    {
                        IoUtil.delete(directory, true);
                    }
                }
                Files.delete(list);
            }
        }
        catch (final IOException ex)
        {
            System.out.println("netns: could not remove what " + list + " lists: " + ex);
        }
    }

    private static void removeLeftovers()
    {
        final Result list = exec(List.of("ip", "netns", "list"));
        for (final String line : list.output.split("\n"))
        {
            final String name = line.trim().split("\\s+")[0];
            final Matcher matcher = OWN_NAME.matcher(name);
            if (matcher.matches())
            {
                final long pid = Long.parseLong(matcher.group(1));
                final Optional<ProcessHandle> owner = ProcessHandle.of(pid);
                if (owner.isEmpty() || !owner.get().isAlive())
                {
                    System.out.println("netns: removing " + name + ", left by an earlier run (pid " + pid + ")");
                    removeNamespace(name);
                    removeListed(cleanupList(pid));
                }
            }
        }
    }

    private static void removeNamespace(final String ns)
    {
        // Processes left in it (members of a run that was killed) go first, by their pid.
        final Result pids = exec(List.of("ip", "netns", "pids", ns));
        if (0 == pids.exitCode)
        {
            for (final String pid : pids.output.trim().split("\\s+"))
            {
                if (pid.matches("\\d+") && Long.parseLong(pid) != ProcessHandle.current().pid())
                {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        quietExec(List.of("ip", "netns", "del", ns));
    }

    /**
     * The outcome of a command.
     */
    static final class Result
    {
        final int exitCode;
        final String output;

        Result(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    static Result exec(final List<String> command)
    {
        return exec(command, null);
    }

    static Result exec(final List<String> command, final String input)
    {
        final long startNs = System.nanoTime();
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final long startedNs = System.nanoTime();
            if (null != input)
            {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + command);
            }
            final long endNs = System.nanoTime();
            if (endNs - startNs > 500_000_000L)
            {
                // Faults are only as sharp as these commands are quick: say when one was not.
                System.out.printf("netns: %s took %d ms (%d ms to start)%n", String.join(" ", command),
                    (endNs - startNs) / 1_000_000, (startedNs - startNs) / 1_000_000);
            }
            return new Result(process.exitValue(), output);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted: " + command);
        }
    }

    private static void quietExec(final List<String> command)
    {
        try
        {
            exec(command);
        }
        catch (final UncheckedIOException ignore)
        {
            // Best effort: cleaning up what may already be gone.
        }
    }

    private static void check(final List<String> command)
    {
        final Result result = exec(command);
        if (0 != result.exitCode)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode + "): " +
                result.output.trim());
        }
    }

    /**
     * @return the rules in force, per node, for failure messages.
     */
    synchronized String describeRules()
    {
        final Map<String, List<String>> byNode = new HashMap<>();
        rulesByOwner.forEach((owner, rules) -> rules.forEach((rule) -> byNode.computeIfAbsent(rule.node(),
            (ignore) -> new ArrayList<>()).add((rule.isOutput() ? "out: " : "in: ") + rule.rule())));
        final StringBuilder down = new StringBuilder();
        linkDownOwners.forEach((node, owners) -> down.append(owners.isEmpty() ? "" : " " + node));
        return byNode + (down.length() > 0 ? "; links down:" + down : "");
    }
}
