package io.raftline.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EntryIndexTest
{
    @Test
    void shouldGrowWhileWrappedWithoutLosingOrder()
    {
        try (EntryIndex index = new EntryIndex(16))
        {
            for (long i = 1; i <= 14; i++)
            {
                index.add(i, i * 10, (int)i, 1);
            }
            index.dropUpTo(10);
            for (long i = 15; i <= 5000; i++)
            {
                index.add(i, i * 10, (int)i, 2);
            }
            assertEquals(11, index.firstIndex());
            assertEquals(4990, index.count());
            for (long i = 11; i <= 5000; i++)
            {
                assertEquals(i, index.term(i));
                assertEquals(i * 10, index.address(i));
                assertEquals(i, index.length(i));
            }
        }
    }

    @Test
    void shouldBehaveLikeAListThroughWrapsGrowthAndCompaction()
    {
        final Random random = new Random(7);
        final List<long[]> model = new ArrayList<>();
        long first = 1;
        try (EntryIndex index = new EntryIndex(16))
        {
            for (int op = 0; op < 200_000; op++)
            {
                final int dice = random.nextInt(100);
                if (dice < 70)
                {
                    final long next = first + model.size();
                    index.add(next * 3, next * 7, (int)(next % 1000), (int)(next / 100));
                    model.add(new long[]{next * 3, next * 7, next % 1000, next / 100});
                }
                else if (dice < 85 && !model.isEmpty())
                {
                    final int keep = random.nextInt(model.size());
                    index.dropUpTo(first + keep - 1);
                    model.subList(0, keep).clear();
                    first += keep;
                }
                else if (dice < 99 && !model.isEmpty())
                {
                    final int keep = model.size() - random.nextInt(Math.min(model.size(), 20) + 1);
                    index.truncateAfter(first + keep - 1);
                    model.subList(keep, model.size()).clear();
                }
                else
                {
                    first = first + model.size() + random.nextInt(5);
                    index.reset(first);
                    model.clear();
                }
                assertEquals(first, index.firstIndex());
                assertEquals(model.size(), index.count());
                for (int i = 0; i < Math.min(model.size(), 8); i++)
                {
                    final int at = random.nextInt(model.size());
                    final long entry = first + at;
                    assertEquals(model.get(at)[0], index.term(entry));
                    assertEquals(model.get(at)[1], index.address(entry));
                    assertEquals(model.get(at)[2], index.length(entry));
                    assertEquals(model.get(at)[3], index.cycle(entry));
                }
            }
        }
    }
}
