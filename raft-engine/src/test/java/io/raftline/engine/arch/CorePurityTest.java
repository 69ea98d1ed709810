package io.raftline.engine.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.raftline.log.MetadataStore;
import io.raftline.log.RaftLog;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.SplittableRandom;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The Raft core is a pure state machine: no threads, clocks, randomness of its own, I/O, Aeron, Chronicle or
 * generated codecs. This is what makes every behaviour reproducible from a seed in the simulator.
 */
class CorePurityTest
{
    private static final String CORE = "io.raftline.engine.core..";

    private final JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.raftline.engine.core");

    @Test
    void coreUsesNoThreadsClocksOrIo()
    {
        noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(
                "java.io..", "java.nio..", "java.net..", "java.time..", "java.util.concurrent..",
                "io.aeron..", "net.openhft..", "io.raftline.codecs..", "io.raftline.engine.agent..",
                "io.raftline.engine.protocol..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(Runtime.class.getName())
            .orShould().dependOnClassesThat().haveNameMatching("org\\.agrona\\.concurrent\\..*(Clock|Agent|Idle).*")
            .because("the core takes time as nowNs and does no I/O of its own")
            .check(classes);
    }

    @Test
    void coreReadsNoClockAndMakesNoRandomnessOfItsOwn()
    {
        noClasses().that().resideInAPackage(CORE)
            .should().callMethod(System.class, "nanoTime")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "getProperty", String.class)
            .orShould().callMethod(Math.class, "random")
            .orShould().callConstructor(Random.class)
            .orShould().callConstructor(SplittableRandom.class)
            .orShould().callConstructor(SplittableRandom.class, long.class)
            .because("randomness comes from the injected seeded generator")
            .check(classes);
    }

    /**
     * One owner of the log and the metadata: a write anywhere else in the core could forget to mark the state
     * dirty, and the driver would release a vote or an acknowledgement before the state it promises is durable.
     */
    @Test
    void onlyCoreLogWritesTheLogAndMetadata()
    {
        noClasses().that().resideInAPackage(CORE).and().doNotHaveSimpleName("CoreLog")
            .should().callMethod(RaftLog.class, "append", long.class, DirectBuffer.class, int.class, int.class)
            .orShould().callMethod(RaftLog.class, "truncateAfter", long.class)
            .orShould().callMethod(RaftLog.class, "compactTo", long.class)
            .orShould().callMethod(RaftLog.class, "reset", long.class, long.class)
            .orShould().callMethod(MetadataStore.class, "update", long.class, int.class)
            .because("CoreLog marks every mutation for the driver to sync")
            .check(classes);
    }
}
