package org.scenegraph.neo4j;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a Neo4j Community DBMS in this JVM with only its Bolt connector open, on loopback.
 *
 * <p>Contract with src/db/localNeo4j.ts: exactly one line starting with {@code READY } goes to stdout once
 * a Bolt client can log in with the password from the password file; anything else on stdout/stderr is
 * diagnostics. Exit codes let the caller explain a failure without parsing stack traces.
 */
public final class Launcher {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;
    static final int EXIT_PASSWORD_FILE = 4;
    static final int EXIT_STORE_LOCKED = 5;

    private static final String HOST = "127.0.0.1";
    private static final String USER = "neo4j";
    /** Neo4j's default dbms.security.auth_minimum_password_length; checked here for a clearer message. */
    private static final int MIN_PASSWORD_LENGTH = 8;

    private Launcher() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            fail(EXIT_USAGE, e.getMessage() + "\n" + Options.USAGE);
            return;
        }

        String password;
        try {
            password = readPassword(options.passwordFile);
        } catch (IOException | IllegalArgumentException e) {
            fail(EXIT_PASSWORD_FILE, "cannot use password file " + options.passwordFile + ": " + e.getMessage());
            return;
        }

        // Neo4j only reports a taken port deep inside a lifecycle stack trace, after seconds of startup.
        if (!portIsFree(options.port)) {
            fail(EXIT_PORT_IN_USE, portInUseMessage(options.port));
            return;
        }

        DatabaseManagementService dbms;
        try {
            dbms = build(options);
        } catch (Throwable t) {
            handleStartupFailure(t, options);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Shutting down Neo4j (signal received)");
            out.flush();
            try {
                // A clean shutdown checkpoints, so the next start needs no recovery.
                dbms.shutdown();
                out.println("Neo4j stopped cleanly");
            } catch (Throwable t) {
                System.err.println("ERROR during shutdown: " + t);
            } finally {
                out.flush();
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        try {
            awaitAvailable(dbms, GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            setPassword(dbms, password);
            awaitAvailable(dbms, GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            awaitBoltAccepting(options.port);
        } catch (Throwable t) {
            System.err.println("ERROR: Neo4j started but is not usable: " + describe(t));
            t.printStackTrace(System.err);
            // halt, not exit: exit would run the shutdown hook and shut the DBMS down a second time.
            safeShutdown(dbms);
            Runtime.getRuntime().halt(EXIT_FAILURE);
            return;
        }

        out.println("READY bolt://" + HOST + ":" + options.port);
        out.flush();

        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DatabaseManagementService build(Options options) {
        SocketAddress bolt = new SocketAddress(HOST, options.port);
        return new DatabaseManagementServiceBuilder(options.home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // Keep every other listener (if any is ever enabled) on loopback too.
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                // Server-side routing would open a second port (7688) that collides between instances.
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, options.pageCacheBytes)
                // Nodes with more relationships than this keep them in per-type groups
                // (db.relationship_grouping_threshold, default 50). A 20-object image's objects have
                // 45-55 relationships, so at 50 a third of them were grouped: 1.8 KB per image of group
                // and degree records, and ~10% slower ingest (BENCHMARKS.md, "Store model 5").
                .setConfig(GraphDatabaseSettings.dense_node_threshold, options.groupingThreshold)
                // Dev/test databases: a single rotated log is enough and keeps temp data dirs small.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 16L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(BoltConnector.server_bolt_telemetry_enabled, false)
                // Netty's shutdown quiet period (5 s) is waited out for each of Bolt's two event loop
                // groups even with no client connected, so every stop took ~10 s. Internal setting,
                // hence the pinned Neo4j version.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
    }

    private static void awaitAvailable(DatabaseManagementService dbms, String name) {
        GraphDatabaseService db = dbms.database(name);
        if (!db.isAvailable(TimeUnit.SECONDS.toMillis(120))) {
            throw new IllegalStateException("database '" + name + "' did not become available within 120 s");
        }
    }

    /**
     * Runs as the embedded (fully privileged) caller on the system database, which Community allows;
     * it also clears the "must change password" flag so drivers can run queries straight away. Bolt is
     * already open at this point, but only with the default password that cannot run queries until
     * changed, and this statement overrides whatever was set meanwhile.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
            System.out.println("Password of user '" + USER + "' set from password file");
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to its current value: that is the normal restart case.
            if (messageChain(e).toLowerCase(Locale.ROOT).contains("cannot be the same")) {
                system.executeTransactionally("ALTER USER " + USER + " SET PASSWORD CHANGE NOT REQUIRED");
                System.out.println("Password of user '" + USER + "' unchanged");
            } else {
                throw e;
            }
        }
    }

    /** The DBMS opens Bolt during build(); this only guards against a connector that failed quietly. */
    private static void awaitBoltAccepting(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Bolt connector on " + HOST + ":" + port + " is not accepting", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same option Netty uses, so a port in TIME_WAIT from our own previous run counts as free.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String portInUseMessage(int port) {
        return "port " + port + " on " + HOST + " is already in use; "
                + "choose another Bolt port (NEO4J_BOLT_PORT) or stop whatever listens there";
    }

    private static void handleStartupFailure(Throwable t, Options options) {
        String chain = messageChain(t);
        if (hasCause(t, BindException.class) || chain.contains("Address already in use")) {
            fail(EXIT_PORT_IN_USE, portInUseMessage(options.port));
        } else if (chain.contains("FileLockException") || chain.toLowerCase(Locale.ROOT).contains("locked by another")) {
            fail(EXIT_STORE_LOCKED, "the database in " + options.home
                    + " is already in use by another Neo4j process: " + describe(t));
        } else {
            t.printStackTrace(System.err);
            fail(EXIT_FAILURE, "Neo4j failed to start: " + describe(t));
        }
    }

    private static void safeShutdown(DatabaseManagementService dbms) {
        try {
            dbms.shutdown();
        } catch (Throwable ignored) {
            // Already failing; the original error is what the caller needs to see.
        }
    }

    private static String readPassword(Path file) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        // Editors and `echo` add a trailing newline that is never part of the password.
        String password = content.strip();
        if (password.isEmpty()) {
            throw new IllegalArgumentException("file is empty");
        }
        if (password.length() < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("password must have at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        return password;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String messageChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    /** The innermost cause usually says what actually went wrong; the outer ones name lifecycle steps. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t.getMessage() + " (caused by " + root + ")";
    }

    private static void fail(int code, String message) {
        System.err.println("ERROR: " + message);
        System.err.flush();
        System.exit(code);
    }

    static final class Options {
        static final String USAGE =
                "usage: java -jar launcher.jar --home DIR --port N --password-file FILE [--page-cache 256m]"
                        + " [--relationship-grouping-threshold 200]";

        Path home;
        int port = -1;
        Path passwordFile;
        long pageCacheBytes = 256L * 1024 * 1024;
        int groupingThreshold = 200;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + arg);
                }
                String value = args[++i];
                switch (arg) {
                    case "--home" -> o.home = Path.of(value).toAbsolutePath().normalize();
                    case "--port" -> o.port = parsePort(value);
                    case "--password-file" -> o.passwordFile = Path.of(value);
                    case "--page-cache" -> o.pageCacheBytes = parseBytes(value);
                    case "--relationship-grouping-threshold" -> o.groupingThreshold = parseThreshold(value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (o.home == null) {
                throw new IllegalArgumentException("--home is required");
            }
            if (o.port < 0) {
                throw new IllegalArgumentException("--port is required");
            }
            if (o.passwordFile == null) {
                throw new IllegalArgumentException("--password-file is required");
            }
            return o;
        }

        private static int parsePort(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port must be a number between 1 and 65535, got " + value);
            }
        }

        private static int parseThreshold(String value) {
            try {
                int n = Integer.parseInt(value);
                if (n < 1 || n > 100_000) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--relationship-grouping-threshold must be a number between 1 and 100000, got " + value);
            }
        }

        private static long parseBytes(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            long unit = 1;
            char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            switch (last) {
                case 'k' -> unit = 1024L;
                case 'm' -> unit = 1024L * 1024;
                case 'g' -> unit = 1024L * 1024 * 1024;
                default -> { }
            }
            String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
            try {
                long bytes = Long.parseLong(digits) * unit;
                if (bytes < 8L * 1024 * 1024) {
                    throw new IllegalArgumentException("--page-cache must be at least 8m, got " + value);
                }
                return bytes;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--page-cache must look like 256m or 1g, got " + value);
            }
        }
    }
}
