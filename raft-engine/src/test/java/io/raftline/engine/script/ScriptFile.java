package io.raftline.engine.script;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An interaction script and its golden transcript, in one file (as etcd raft's datadriven {@code testdata}): each
 * command line is followed by {@code ----}, the lines it printed, and a blank line. Lines starting with {@code #}
 * and blank lines between commands are kept as they are. A command written without an output block (a new script)
 * gets one when the transcript is rendered.
 */
final class ScriptFile
{
    static final String SEPARATOR = "----";

    /**
     * A comment or blank line (command == null), or a command with the line number it sits on.
     */
    private record Line(String text, String command, int lineNumber)
    {
    }

    private final List<Line> lines = new ArrayList<>();

    ScriptFile(final String content)
    {
        final String[] raw = content.replace("\r\n", "\n").split("\n", -1);
        int i = 0;
        while (i < raw.length)
        {
            final String text = raw[i];
            if (text.isBlank() || text.startsWith("#"))
            {
                lines.add(new Line(text.isBlank() ? "" : text, null, i + 1));
                i++;
                continue;
            }
            lines.add(new Line(text, text.trim(), i + 1));
            i++;
            if (i < raw.length && SEPARATOR.equals(raw[i]))
            {
                i++;
                while (i < raw.length && !raw[i].isEmpty())
                {
                    i++;
                }
            }
            // The blank line that ends a command's block belongs to the block.
            if (i < raw.length && raw[i].isEmpty())
            {
                i++;
            }
        }
    }

    /**
     * Run every command in order and render the file as it should read.
     *
     * @param runner of one command: returns its output lines, or throws.
     * @return the transcript.
     */
    String transcript(final Function<String, List<String>> runner)
    {
        final StringBuilder text = new StringBuilder();
        for (final Line line : lines)
        {
            text.append(line.text()).append('\n');
            if (null == line.command())
            {
                continue;
            }
            final List<String> output;
            try
            {
                output = runner.apply(line.command());
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException("line " + line.lineNumber() + ": '" + line.command() + "' failed: " +
                    ex.getMessage(), ex);
            }
            text.append(SEPARATOR).append('\n');
            for (final String out : output)
            {
                text.append(out.isBlank() ? "." : out).append('\n');
            }
            text.append('\n');
        }
        return normalize(text.toString());
    }

    /**
     * One trailing newline, no trailing blank lines, so that an editor's habits do not fail a test.
     */
    static String normalize(final String text)
    {
        String result = text.replace("\r\n", "\n");
        while (result.endsWith("\n"))
        {
            result = result.substring(0, result.length() - 1);
        }
        return result + "\n";
    }

    /**
     * A line diff (longest common subsequence) with three lines of context, {@code -} for the golden file and
     * {@code +} for this run.
     */
    static String diff(final String expected, final String actual)
    {
        final String[] a = expected.split("\n", -1);
        final String[] b = actual.split("\n", -1);
        final int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--)
        {
            for (int j = b.length - 1; j >= 0; j--)
            {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        final List<String> ops = new ArrayList<>();
        final List<Integer> lineOf = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length)
        {
            if (i < a.length && j < b.length && a[i].equals(b[j]))
            {
                ops.add("  " + a[i]);
                lineOf.add(i + 1);
                i++;
                j++;
            }
            else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1]))
            {
                ops.add("- " + a[i]);
                lineOf.add(i + 1);
                i++;
            }
            else
            {
                ops.add("+ " + b[j]);
                lineOf.add(i + 1);
                j++;
            }
        }
        final StringBuilder text = new StringBuilder();
        int printedTo = -1;
        for (int k = 0; k < ops.size(); k++)
        {
            if (ops.get(k).startsWith("  "))
            {
                continue;
            }
            final int from = Math.max(printedTo + 1, k - 3);
            if (from > printedTo + 1 || printedTo < 0)
            {
                text.append("@@ golden line ").append(lineOf.get(from)).append('\n');
            }
            int to = k;
            while (to + 1 < ops.size() && (!ops.get(to + 1).startsWith("  ") || hasChangeWithin(ops, to + 1, 6)))
            {
                to++;
            }
            to = Math.min(ops.size() - 1, to + 3);
            for (int m = from; m <= to; m++)
            {
                text.append(ops.get(m)).append('\n');
            }
            printedTo = to;
            k = to;
        }
        return text.toString();
    }

    private static boolean hasChangeWithin(final List<String> ops, final int from, final int window)
    {
        for (int k = from; k < Math.min(ops.size(), from + window); k++)
        {
            if (!ops.get(k).startsWith("  "))
            {
                return true;
            }
        }
        return false;
    }
}
