package com.parley.examples.assistant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the assistant from the command line ({@code deploy/local/assistant.sh}); a mistake is said on
 * stderr with the usage, exit code 2.
 */
public final class AssistantCli {

    static final String USAGE = """
            usage: assistant --tenant <tenant> (--token <service token> | --token-file <file>)
                             [--kafka 127.0.0.1:59092] [--api http://127.0.0.1:8080]
                             [--group parley-example-assistant] [--from-beginning]""";

    private AssistantCli() {
    }

    public static void main(String[] args) {
        Assistant.Settings settings = parse(args);
        try (Assistant assistant = new Assistant(settings)) {
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> { // Ctrl-C: leave the group cleanly
                assistant.stop();
                try {
                    main.join(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.out.printf("Answering the customers of tenant %s (group %s). Ctrl-C stops.%n", settings.tenant(),
                    settings.group());
            assistant.run();
        }
    }

    static Assistant.Settings parse(String[] args) {
        String kafka = "127.0.0.1:59092";
        String api = "http://127.0.0.1:8080";
        String tenant = null;
        String token = null;
        String group = "parley-example-assistant";
        boolean fromBeginning = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--kafka" -> kafka = require(args[i], value);
                case "--api" -> api = require(args[i], value);
                case "--tenant" -> tenant = require(args[i], value);
                case "--token" -> token = require(args[i], value);
                case "--token-file" -> token = read(require(args[i], value));
                case "--group" -> group = require(args[i], value);
                case "--from-beginning" -> {
                    fromBeginning = true;
                    continue;
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                default -> fail("unknown option " + args[i]);
            }
            i++;
        }
        if (tenant == null || token == null) {
            fail("--tenant and a token are required");
        }
        return new Assistant.Settings(kafka, uri(api), tenant, token, group, fromBeginning);
    }

    private static String require(String option, String value) {
        if (value == null || value.isBlank()) {
            fail(option + " needs a value");
        }
        return value;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            fail("cannot read the token file " + file + ": " + e.getMessage());
            throw new UncheckedIOException(e);
        }
    }

    private static URI uri(String api) {
        try {
            URI uri = new URI(api);
            if (uri.getScheme() == null || uri.getHost() == null) {
                fail("--api needs a URL such as http://127.0.0.1:8080, not " + api);
            }
            return uri;
        } catch (URISyntaxException e) {
            fail("--api needs a URL such as http://127.0.0.1:8080, not " + api);
            throw new IllegalArgumentException(e);
        }
    }

    private static void fail(String problem) {
        System.err.println("assistant: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }
}
