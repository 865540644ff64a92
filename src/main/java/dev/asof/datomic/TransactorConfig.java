package dev.asof.datomic;

/**
 * Prints the storage part of a Datomic transactor's {@code transactor.properties} for the
 * PostgreSQL in {@code DATABASE_URL}: {@code TransactorConfig [host] [port] [object-cache-max]}.
 */
public final class TransactorConfig {
    private TransactorConfig() {
    }

    public static void main(String[] args) {
        String databaseUrl = System.getenv("DATABASE_URL");
        if (databaseUrl == null || databaseUrl.isBlank()) {
            System.err.println("Set DATABASE_URL (postgres://user:password@host:port/database)");
            System.exit(2);
        }
        String host = args.length > 0 ? args[0] : "0.0.0.0";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 4334;
        String memory = args.length > 2 ? args[2] : "1g";
        System.out.print(SqlStorage.transactorProperties(databaseUrl, host, port, memory));
    }
}
