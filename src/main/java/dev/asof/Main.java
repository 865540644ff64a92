package dev.asof;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * asof's entry point (the packaged jar: the Procfile, {@code java -jar}): Quarkus, started with its
 * own request-target check off, because {@code dev.asof.http.RequestTarget} makes the same check as
 * the first route and answers a failure with a problem saying why instead of an empty 400. Quarkus
 * reads the property once, when its HTTP layer loads, so it is set here, before Quarkus starts.
 * {@code quarkus:dev} (which loads that layer before this runs) and the test JVMs get it from the
 * build (pom.xml).
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        System.setProperty("vertx.disableURIValidation", "true");
        Quarkus.run(args);
    }
}
