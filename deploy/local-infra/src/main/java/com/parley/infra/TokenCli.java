package com.parley.infra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Prints a development JWT signed with the local key pair:
 * {@code TokenCli [--tenant T] [--user U] [--role user|supporter|admin|service] [--name N] [--ttl-minutes N]}.
 */
public final class TokenCli {

    private static final String USAGE =
            "usage: token.sh [--tenant acme] [--user alice] [--role user|supporter|admin|service] [--name 'Alice Doe']"
            + " [--ttl-minutes 480]";
    private static final CommandLine LINE = new CommandLine("", USAGE);

    private TokenCli() {
    }

    public static void main(String[] args) {
        String tenant = "acme";
        String user = "alice";
        String role = "user";
        String name = null;
        long ttlMinutes = 480;
        Path keyDir = Path.of(".local", "keys");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--tenant" -> tenant = LINE.require(args[i], value);
                case "--user" -> user = LINE.require(args[i], value);
                case "--role" -> role = LINE.require(args[i], value);
                case "--name" -> name = LINE.require(args[i], value);
                case "--ttl-minutes" -> ttlMinutes = minutes(LINE.require(args[i], value));
                case "--keys" -> keyDir = Path.of(LINE.require(args[i], value));
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    System.out.println("  a development token signed with the local key pair (.local/keys), for a");
                    System.out.println("  tenant, user and role; --name is what the pages call them (the OIDC name");
                    System.out.println("  claim; without it, the user id); --ttl-minutes below 0 gives one that has expired");
                    return;
                }
                default -> LINE.fail("unknown option " + args[i]);
            }
            i++;
        }
        if (!java.util.Set.of("user", "supporter", "admin", "service").contains(role)) {
            LINE.fail("role must be one of user, supporter, admin, service");
        }
        DevTokens tokens = new DevTokens(DevKeys.in(keyDir).privateKey());
        Duration ttl = Duration.ofMinutes(ttlMinutes);
        System.out.println(name == null ? tokens.issue(tenant, user, role, ttl)
                : tokens.issueNamed(tenant, user, role, name, ttl));
    }


    /** Whole minutes; a negative number issues a token that expired that long ago (to try expiry). */
    private static long minutes(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            LINE.fail("--ttl-minutes needs a whole number of minutes, not " + value);
            return 0;
        }
    }

}
