package io.raftline.samples;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code auction} and {@code auction-node} on the sample's command line: help, and one line for a wrong argument.
 */
class AuctionCommandLineTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void bothHaveHelpAndAreListed()
    {
        for (final String command : new String[]{"auction", "auction-node"})
        {
            out.getBuffer().setLength(0);
            assertEquals(0, run(command, "--help"), command);
            assertTrue(out.toString().startsWith("Usage: java -jar raftline-samples.jar " + command), out::toString);
        }
        assertTrue(out.toString().contains("--members"), out::toString);
        assertEquals(Main.USAGE_ERROR, run());
        assertTrue(err.toString().contains("  auction "), err::toString);
    }

    @Test
    void aWrongArgumentIsOneLine()
    {
        assertEquals(Main.USAGE_ERROR, run("auction", "--auction-length", "soon"));
        final String text = err.toString().strip();
        assertFalse(text.contains("\n"), text);
        assertTrue(text.startsWith("java -jar raftline-samples.jar auction: "), text);
    }
}
