package io.raftline.engine.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Deterministic "goroutines" for porting the MIT tester: each task is a real thread, but only the one holding the
 * baton runs, and the baton moves only through the simulation's event queue. A task that sleeps schedules its own
 * wake-up and then drives the simulation itself until some task's wake-up comes due; if it is another task's, it
 * hands the baton over and waits for its own. So the interleaving of tasks and members is a pure function of the
 * seed, while the test code keeps the blocking shape of the original ({@code sleep}, {@code one}, {@code wait}).
 */
final class Tasks implements AutoCloseable
{
    /**
     * A cooperative task.
     */
    final class Task
    {
        private final Semaphore baton = new Semaphore(0);
        private final String name;
        private Thread thread;
        private volatile boolean isDone;

        private Task(final String name)
        {
            this.name = name;
        }

        boolean isDone()
        {
            return isDone;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    private static final class Wake implements Runnable
    {
        final Task task;

        Wake(final Task task)
        {
            this.task = task;
        }

        public void run()
        {
        }
    }

    /**
     * Thrown inside a task thread to unwind it when the test ends.
     */
    private static final class Shutdown extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }

    private final Simulation sim;
    private final ThreadLocal<Task> current = new ThreadLocal<>();
    private final List<Task> tasks = new ArrayList<>();
    private final Task main;
    private volatile Throwable failure;
    private volatile boolean isClosed;

    Tasks(final Simulation sim)
    {
        this.sim = sim;
        this.main = new Task("main");
        main.thread = Thread.currentThread();
        current.set(main);
    }

    /**
     * Start a task at the current simulated time; it runs when the caller next sleeps.
     */
    Task spawn(final String name, final Runnable body)
    {
        final Task task = new Task(name);
        final Thread thread = new Thread(() ->
        {
            current.set(task);
            try
            {
                task.baton.acquire();
                body.run();
            }
            catch (final Shutdown | InterruptedException ignore)
            {
                return;
            }
            catch (final Throwable t)
            {
                fail(t);
                return;
            }
            finally
            {
                task.isDone = true;
            }
            try
            {
                drive(null);
            }
            catch (final Shutdown ignore)
            {
                // The test is over.
            }
            catch (final Throwable t)
            {
                fail(t);
            }
        }, "sim-task-" + name);
        thread.setDaemon(true);
        task.thread = thread;
        tasks.add(task);
        thread.start();
        sim.schedule(sim.nowNs(), new Wake(task));
        return task;
    }

    /**
     * Sleep for a simulated duration, running the simulation meanwhile.
     */
    void sleepMs(final long durationMs)
    {
        sleepNs(durationMs * 1_000_000L);
    }

    void sleepNs(final long durationNs)
    {
        final Task self = current.get();
        if (null == self)
        {
            throw new IllegalStateException("sleep from a thread that is not a task");
        }
        checkFailure();
        sim.schedule(sim.nowNs() + durationNs, new Wake(self));
        drive(self);
        checkFailure();
    }

    void join(final Task task)
    {
        while (!task.isDone())
        {
            sleepMs(1);
        }
        checkFailure();
    }

    /**
     * Run the simulation until {@code self}'s wake-up (return) or another task's (hand over, then wait for ours).
     * A finished task passes {@code null}: it hands over and returns.
     */
    private void drive(final Task self)
    {
        while (true)
        {
            final Simulation.Event event = sim.pollNext();
            if (null == event)
            {
                throw new IllegalStateException("the simulation has no events left while task " + self + " waits");
            }
            if (event.action instanceof Wake wake)
            {
                if (wake.task == self)
                {
                    return;
                }
                wake.task.baton.release();
                if (null == self)
                {
                    return;
                }
                try
                {
                    self.baton.acquire();
                }
                catch (final InterruptedException ex)
                {
                    throw new Shutdown();
                }
                if (isClosed)
                {
                    throw new Shutdown();
                }
                return;
            }
            try
            {
                event.action.run();
            }
            catch (final Throwable t)
            {
                fail(t);
                throw t;
            }
        }
    }

    private void fail(final Throwable t)
    {
        if (null == failure)
        {
            failure = t;
        }
        if (Thread.currentThread() != main.thread)
        {
            // Wake the main task so the test sees the failure; this thread stops here.
            main.baton.release();
        }
    }

    void checkFailure()
    {
        final Throwable t = failure;
        if (null != t && Thread.currentThread() == main.thread)
        {
            if (t instanceof Error error)
            {
                throw error;
            }
            throw new AssertionError(t);
        }
        if (null != t)
        {
            throw new Shutdown();
        }
    }

    public void close()
    {
        isClosed = true;
        if (Thread.currentThread() == main.thread)
        {
            // The test thread outlives this cluster: its thread-local entry holds the main task, and through it
            // this whole simulation (the entry's value keeps its own key reachable, so it is never expunged). Left
            // in place, every seed's cluster stayed in memory and -Draftline.mit.seeds=60 ran out of heap.
            current.remove();
        }
        for (final Task task : tasks)
        {
            if (!task.isDone())
            {
                task.thread.interrupt();
            }
        }
    }
}
