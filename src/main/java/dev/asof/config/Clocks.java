package dev.asof.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/** The one clock the service reads; fault tests shift it ({@code asof.testing.clock-offset}) to step time back. */
public class Clocks {

    @Produces
    @Singleton
    Clock clock(AsofConfig config) {
        Duration offset = config.testing().clockOffset();
        return offset.isZero() ? Clock.systemUTC() : Clock.offset(Clock.systemUTC(), offset);
    }
}
