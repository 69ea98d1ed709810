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
                index.add(i * 10);
            }
            index.dropUpTo(10);
            for (long i = 15; i <= 5000; i++)
            {
                index.add(i * 10);
            }
            assertEquals(11, index.firstIndex());
            assertEquals(4990, index.count());
            for (long i = 11; i <= 5000; i++)
            {
                assertEquals(i * 10, index.address(i));
            }
        }
    }

    @Test
    void shouldBehaveLikeAListThroughWrapsGrowthAndCompaction()
    {
        final Random random = new Random(7);
        final List<Long> model = new ArrayList<>();
        long first = 1;
        try (EntryIndex index = new EntryIndex(16))
        {
            for (int op = 0; op < 200_000; op++)
            {
                final int dice = random.nextInt(100);
                if (dice < 75)
                {
                    final long address = random.nextLong();
                    index.add(address);
                    model.add(address);
                }
                else if (dice < 85 && !model.isEmpty())
                {
                    final int drop = random.nextInt(Math.min(model.size(), 12) + 1);
                    index.dropUpTo(first + drop - 1);
                    model.subList(0, drop).clear();
                    first += drop;
                }
                else if (dice < 99 && !model.isEmpty())
                {
                    final int keep = model.size() - random.nextInt(Math.min(model.size(), 4) + 1);
                    index.truncateAfter(first + keep - 1);
                    model.subList(keep, model.size()).clear();
                }
                else if (dice == 99 && random.nextInt(20) == 0)
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
                    assertEquals(model.get(at).longValue(), index.address(first + at));
                }
            }
        }
    }
}
