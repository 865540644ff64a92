package dev.asof.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged service (target/quarkus-app) as a child process, for crash tests and benchmarks. */
public final class PackagedService implements AutoCloseable {
    /** The write token every packaged service here is started with (it refuses writes without one). */
    public static final String TOKEN = "local-test-token";
    public static final String AUTHORIZATION = "Bearer " + TOKEN;

    private final Process process;
    private final String base;

    private PackagedService(Process process, int port) {
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts it on {@code port}, its output in target/{@code log}.log. */
    public static PackagedService start(int port, String log, Map<String, String> env, List<String> jvmArgs)
            throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!jar.toFile().exists()) {
            throw new IllegalStateException("Package the service first (./mvnw package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // As the Procfile starts it: an OutOfMemoryError anywhere ends the process.
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmArgs);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File("target/" + log + ".log"));
        builder.environment().put("ASOF_WRITE_TOKENS", TOKEN);
        builder.environment().putAll(env);
        return new PackagedService(builder.start(), port);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String base() {
        return base;
    }

    /** CPU time the service's process has used so far (all its threads, user and system), from the OS. */
    public Duration cpu() {
        return cpu(process.toHandle());
    }

    /** CPU time {@code process} has used so far (all its threads, user and system), from the OS. */
    public static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("This OS does not report a process's CPU time"));
    }

    /** Waits until /q/health/ready answers 200. */
    public PackagedService awaitReady(Duration limit) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The service exited with " + process.exitValue() + "; see its log in target/");
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("The service did not become ready within " + limit);
    }

    /** Waits for the process to exit on its own; its exit code, or -1 when it still runs after {@code limit}. */
    public int awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /**
     * A heap dump of the service's live objects ({@code jcmd GC.heap_dump}, which collects first),
     * as the bytes of the HPROF file.
     */
    public byte[] heapDump() throws IOException, InterruptedException {
        Path file = Files.createTempFile("asof-heap", ".hprof");
        Files.delete(file);
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.heap_dump", file.toString()).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0 || !Files.exists(file)) {
            throw new IllegalStateException("jcmd GC.heap_dump failed: " + output);
        }
        try {
            return Files.readAllBytes(file);
        } finally {
            Files.delete(file);
        }
    }

    /** SIGKILL: no shutdown hooks, no draining. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for the graceful shutdown. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(60, TimeUnit.SECONDS);
    }
}
