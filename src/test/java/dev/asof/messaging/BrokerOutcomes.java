package dev.asof.messaging;

import io.micrometer.core.instrument.MeterRegistry;

/** How many broker messages a connector has had with an outcome so far ({@code asof.broker.messages}). */
final class BrokerOutcomes {
    private BrokerOutcomes() {
    }

    static double count(MeterRegistry registry, String connector, String outcome) {
        var counter = registry.find("asof.broker.messages").tag("connector", connector).tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
