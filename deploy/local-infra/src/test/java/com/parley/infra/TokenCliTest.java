package com.parley.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/local/token.sh} as a new user tries it: asking how, a token, a mistake. */
class TokenCliTest {

    @TempDir
    Path keys;

    private record Run(int exit, String out, String err) {
    }

    private static Run tokenCli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), TokenCli.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "token.sh did not finish");
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpSaysHowToUseItAndIsNoError() throws Exception {
        for (String help : List.of("--help", "-h")) {
            Run run = tokenCli(help);
            assertEquals(0, run.exit(), help + ": " + run.err());
            assertTrue(run.out().contains("usage: token.sh") && run.out().contains("--role"), run.out());
            assertTrue(!run.out().contains("unknown option") && run.err().isEmpty(), run.out() + run.err());
        }
    }

    @Test
    void aTokenCarriesTheTenantUserRoleAndNameAskedForAndAMistakeIsNamed() throws Exception {
        Run run = tokenCli("--keys", keys.toString(), "--tenant", "globex", "--user", "sam", "--role", "supporter");
        assertEquals(0, run.exit(), run.err());
        String claims = new String(Base64.getUrlDecoder().decode(run.out().trim().split("\\.")[1]),
                StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"tenant\":\"globex\"") && claims.contains("\"sub\":\"sam\"")
                && claims.contains("\"supporter\""), claims);

        assertTrue(!claims.contains("\"name\""), "no name asked for, none given: " + claims);

        Run named = tokenCli("--keys", keys.toString(), "--user", "sam", "--role", "supporter", "--name", "Sam Reyes");
        assertEquals(0, named.exit(), named.err());
        assertTrue(new String(Base64.getUrlDecoder().decode(named.out().trim().split("\\.")[1]), StandardCharsets.UTF_8)
                .contains("\"name\":\"Sam Reyes\""), named.out());
        Run nameless = tokenCli("--keys", keys.toString(), "--name", " ");
        assertEquals(2, nameless.exit());
        assertTrue(nameless.err().contains("--name needs a value"), nameless.err());

        Run wrong = tokenCli("--keys", keys.toString(), "--rol", "admin");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("unknown option --rol") && wrong.err().contains("usage:"), wrong.err());
    }
}
