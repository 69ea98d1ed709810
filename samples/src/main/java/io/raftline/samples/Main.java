package io.raftline.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Entry point of {@code raftline-samples.jar}: the subcommands {@code cluster}, {@code node}, {@code client} and
 * {@code stat}, each with {@code --help}.
 * <p>
 * A wrong argument is answered with one line naming the subcommand and the mistake, and exit status 2; a subcommand
 * that fails (an unreachable cluster, no member at a directory, a port in use) with one line and exit status 1.
 * Neither prints a stack trace, unless {@code -Draftline.samples.trace=true} asks for one.
 */
@Command(
    name = "java -jar raftline-samples.jar",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The Raftline replicated counter: a single-host demo, members as processes, clients, counters.",
    subcommands = {
        SingleHostCluster.class,
        CounterNode.class,
        CounterClient.class,
        StatCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer>
{
    /**
     * Exit status of a wrong argument (picocli's convention, and what the sample used before picocli).
     */
    public static final int USAGE_ERROR = 2;

    /**
     * Exit status of a subcommand that failed.
     */
    public static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    /**
     * @param args the subcommand and its options.
     */
    public static void main(final String[] args)
    {
        // JVM properties that an executable jar's manifest cannot carry (the module flags are in the manifest).
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        if (null == System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Run one command line, as {@link #main(String[])} does, without exiting the JVM.
     *
     * @param out  for the commands' output and {@code --help}.
     * @param err  for errors.
     * @param args the subcommand and its options.
     * @return the exit status: 0, {@link #FAILED} or {@link #USAGE_ERROR}.
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return commandLine(new Main(), out, err).execute(args);
    }

    /**
     * @param command the top-level command object, {@link Main} or a test's own.
     * @param out     for output and help.
     * @param err     for errors.
     * @return a command line that answers errors with one line.
     */
    static CommandLine commandLine(final Object command, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::onParameterException);
        commandLine.setExecutionExceptionHandler(Main::onExecutionException);
        return commandLine;
    }

    /**
     * Without a subcommand: the list of them, as a usage error.
     */
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE_ERROR;
    }

    private static int onParameterException(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final String name = commandLine.getCommandSpec().qualifiedName();
        commandLine.getErr().println(name + ": " + oneLine(ex.getMessage()) + " (see " + name + " --help)");
        trace(commandLine, ex);
        return USAGE_ERROR;
    }

    private static int onExecutionException(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(ex));
        trace(commandLine, ex);
        return FAILED;
    }

    /**
     * @param ex a failure.
     * @return its message and those of its causes that add something, on one line.
     */
    static String describe(final Throwable ex)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = ex; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(message) < 0)
            {
                text.append(0 == text.length() ? "" : ": ").append(message);
            }
        }
        return oneLine(text.toString());
    }

    private static String oneLine(final String text)
    {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static void trace(final CommandLine commandLine, final Exception ex)
    {
        if (Boolean.getBoolean("raftline.samples.trace"))
        {
            ex.printStackTrace(commandLine.getErr());
        }
    }

    /**
     * {@code --version}: the jar's version.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"raftline-samples " + (null == version ? "(development build)" : version)};
        }
    }
}
