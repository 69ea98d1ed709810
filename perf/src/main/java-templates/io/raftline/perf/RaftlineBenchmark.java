package io.raftline.perf;

import org.openjdk.jmh.annotations.Fork;

/**
 * Base of every benchmark: JMH starts each fork with {@code java -cp}, where the jar manifest's Add-Opens do not
 * apply, so the forks get the JVM flags from here. Generated at build time from the parent pom's one list of flags
 * (perf/src/main/java-templates); do not edit the copy under target/.
 */
@Fork(value = 1, jvmArgsAppend = {${raftline.jvm.flags.java}})
public abstract class RaftlineBenchmark
{
}
