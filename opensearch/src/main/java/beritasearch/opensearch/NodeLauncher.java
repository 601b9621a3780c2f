package beritasearch.opensearch;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM until the process is told to stop (SIGTERM closes the node).
 *
 * <p>The only argument is the node's home folder. Its {@code config/opensearch.yml} holds every
 * node setting (written by {@code opensearch/cluster.py}) and {@code config/log4j2.properties}
 * sends the logs to files. The modules a distribution would load from {@code modules/} are on
 * the class path instead and handed to the node as classpath plugins.
 *
 * <p>With {@code -Dberitasearch.owner.pid=PID} the node also stops when that process is gone, so
 * a test run that is killed outright does not leave nodes behind.
 */
public final class NodeLauncher {

    /** HTTP and transport, the analysis chain builders, and _reindex / update and delete by query. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        ReindexPlugin.class
    );

    /** The process whose end stops this node, if any. */
    static final String OWNER_PID_PROPERTY = "beritasearch.owner.pid";

    private static final Pattern LUCENE_JAR = Pattern.compile("lucene-[a-z0-9-]+?-(\\d+\\.\\d+\\.\\d+)\\.jar");

    /** Node's constructor that takes plugin classes is protected. */
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment) {
            super(environment, PLUGINS, true);
        }
    }

    private NodeLauncher() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp ... " + NodeLauncher.class.getName() + " NODE_HOME");
            System.exit(64);
        }
        // Logging takes System.err over; the controller reads the one-line reason of a failed
        // start from the process's own stderr (logs/stdout.log), the stack trace from the log.
        PrintStream processErr = System.err;
        try {
            run(Path.of(args[0]).toAbsolutePath());
        } catch (Throwable failure) {
            LogManager.getLogger(NodeLauncher.class).error("node failed to start", failure);
            processErr.println("opensearch node failed to start: " + failure);
            processErr.flush();
            Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            System.exit(1);
        }
    }

    private static void run(Path home) throws Exception {
        checkOneLuceneVersion();
        Path config = home.resolve("config");
        if (!Files.isRegularFile(config.resolve("opensearch.yml"))) {
            throw new IllegalArgumentException("no node settings: " + config.resolve("opensearch.yml") + " is missing");
        }
        // Embedded nodes load their modules from the class path; the folders must still exist.
        Files.createDirectories(home.resolve("modules"));
        Files.createDirectories(home.resolve("plugins"));

        LogConfigurator.registerErrorListener();
        Settings input = Settings.builder().put(Environment.PATH_HOME_SETTING.getKey(), home.toString()).build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(input, Map.of(), config, () -> "node");
        Files.createDirectories(environment.logsFile());
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);

        Node node = new EmbeddedNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    LogManager.getLogger(NodeLauncher.class).warn("node did not close within 20 seconds");
                }
            } catch (Exception e) {
                LogManager.getLogger(NodeLauncher.class).warn("failed to close the node", e);
            } finally {
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
                stopped.countDown();
            }
        }, "node-shutdown"));
        node.start();
        LogManager.getLogger(NodeLauncher.class).info("node started; home [{}]", home);
        watchOwner();
        // OpenSearch's own threads are daemons: this thread keeps the JVM alive until shutdown.
        stopped.await();
    }

    /** Exits (running the shutdown hook) once the owner process named by the property has ended. */
    private static void watchOwner() {
        String owner = System.getProperty(OWNER_PID_PROPERTY);
        if (owner == null || owner.isBlank()) {
            return;
        }
        long pid = Long.parseLong(owner.trim());
        Thread watcher = new Thread(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            LogManager.getLogger(NodeLauncher.class).warn("owner process [{}] has ended: stopping", pid);
            System.exit(0);
        }, "owner-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Embedding skips OpenSearch's jar-hell check, so two Lucene releases on the class path would
     * not be caught: refuse to start unless every Lucene jar is the release the server was built on.
     */
    static void checkOneLuceneVersion() {
        String expected = org.opensearch.Version.CURRENT.luceneVersion.toString();
        TreeSet<String> seen = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Matcher jar = LUCENE_JAR.matcher(Path.of(entry).getFileName().toString());
            if (jar.matches()) {
                seen.add(jar.group(1));
            }
        }
        if (seen.isEmpty()) {
            throw new IllegalStateException("no Lucene jar on the class path");
        }
        if (seen.size() != 1 || !seen.contains(expected)) {
            throw new IllegalStateException("Lucene jars on the class path are " + seen + "; OpenSearch "
                + org.opensearch.Version.CURRENT + " needs exactly " + expected);
        }
    }
}
