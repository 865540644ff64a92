package dev.asof.config;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import org.jboss.logging.Logger;

/**
 * The one rule for every thread asof starts itself (the transact worker, the change signal, the
 * change publisher, the journal's replay and reader, the queue's deadlines, the broker retries):
 * a thread survives the failures of its own work by catching {@link Exception} around each unit of
 * it, and whatever escapes that — an {@link Error} such as {@code OutOfMemoryError}, or an
 * exception the thread did not expect — ends the process. A platform restarts a process that
 * exits, not one that goes on without its writer. {@code -XX:+ExitOnOutOfMemoryError} (the
 * {@code Procfile}) ends the process on an {@code OutOfMemoryError} in any thread, asof's or not;
 * this handler covers the other errors, and JVMs started without the flag.
 */
public final class OwnedThreads {
    private static final Logger LOG = Logger.getLogger(OwnedThreads.class);

    /** The exit status of a process that lost one of its threads (EX_SOFTWARE). */
    public static final int EXIT_STATUS = 70;

    /** What ends the process; {@link Runtime#halt}, tests put a recorder in its place. */
    public interface Halt {
        void halt(int status);
    }

    private OwnedThreads() {
    }

    /** A thread named {@code name}, not yet started, that ends the process when it dies of anything. */
    public static Thread newThread(String name, Runnable work, boolean daemon) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(daemon);
        thread.setUncaughtExceptionHandler(handler(status -> Runtime.getRuntime().halt(status)));
        return thread;
    }

    /** Starts {@link #newThread}. */
    public static Thread start(String name, Runnable work, boolean daemon) {
        Thread thread = newThread(name, work, daemon);
        thread.start();
        return thread;
    }

    /** A factory of such threads for an executor, all named {@code name}. */
    public static ThreadFactory factory(String name) {
        return work -> newThread(name, work, true);
    }

    /**
     * A scheduler of one such thread, for timers (deadlines, retries, promises). An executor keeps
     * what a task throws in the task's future, where nobody looks, and a periodic task that throws
     * silently stops running: here whatever a task lets escape ends the process, as it would end a
     * thread of its own (the idiom of {@link java.util.concurrent.ThreadPoolExecutor#afterExecute}).
     */
    public static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, factory(name)) {
            @Override
            protected void afterExecute(Runnable task, Throwable thrown) {
                super.afterExecute(task, thrown);
                if (thrown == null && task instanceof Future<?> future && future.isDone()) {
                    try {
                        future.get();
                    } catch (CancellationException cancelled) {
                        // cancelled on purpose (a deadline no longer needed)
                    } catch (ExecutionException e) {
                        thrown = e.getCause();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (thrown != null) {
                    handler(status -> Runtime.getRuntime().halt(status)).uncaughtException(Thread.currentThread(), thrown);
                }
            }
        };
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /**
     * Logs what killed the thread, then halts (no shutdown hooks: they could wait for the dead
     * thread, and with the heap exhausted they could not run anyway).
     */
    public static Thread.UncaughtExceptionHandler handler(Halt halt) {
        return (thread, error) -> {
            try {
                LOG.fatalf(error, "Thread %s died; the process stops so that the platform restarts it", thread.getName());
            } finally {
                halt.halt(EXIT_STATUS);
            }
        };
    }
}
