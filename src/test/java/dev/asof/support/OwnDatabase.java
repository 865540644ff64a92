package dev.asof.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/** A test profile with a mem database of its own, for specifications that change the service's state for good. */
public abstract class OwnDatabase implements QuarkusTestProfile {
    private final Map<String, String> overrides = new HashMap<>();

    protected OwnDatabase(String name, String... keyValues) {
        overrides.put("asof.datomic-uri", "datomic:mem://" + name);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
