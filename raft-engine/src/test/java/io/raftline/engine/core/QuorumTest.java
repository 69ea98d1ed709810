package io.raftline.engine.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Table tests of the majority arithmetic (etcd's quorum/testdata in spirit).
 */
class QuorumTest
{
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0         | 0",
        "5         | 5",
        "3 1       | 1",
        "1 2 3     | 2",
        "3 3 1     | 3",
        "9 1 1     | 1",
        "5 4 3 2   | 3",
        "1 2 3 4 5 | 3",
        "7 7 7 0 0 | 7",
        "7 7 0 0 0 | 0",
        "1 2 3 4 5 6 7 | 4",
    })
    void majorityIndexIsTheMajorityThLargest(final String indices, final long expected)
    {
        final long[] values = Arrays.stream(indices.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
        assertEquals(expected, Quorum.majorityIndex(values.clone(), values.length));
    }

    @ParameterizedTest(name = "{0} members need {1}")
    @CsvSource({"1,1", "2,2", "3,2", "4,3", "5,3", "6,4", "7,4"})
    void majority(final int members, final int expected)
    {
        assertEquals(expected, Quorum.majority(members));
    }
}
