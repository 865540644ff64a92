package dev.asof.datomic;

import java.util.regex.Pattern;

/** What asof may say about a Datomic URI: never its credentials. */
public final class DatomicUris {
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:]+:)[^@/]*@");

    private DatomicUris() {
    }

    /** The URI with any password replaced by {@code ***}. */
    public static String redact(String uri) {
        String out = PASSWORD.matcher(uri).replaceAll("$1***");
        return USER_INFO.matcher(out).replaceAll("$1***@");
    }
}
