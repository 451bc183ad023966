package com.parley.infra;

/**
 * What the local tools' command lines share ({@code token.sh}, {@code events.sh}): an option that
 * needs a value, and a mistake said on stderr with the usage, exit code 2.
 *
 * @param prefix what each problem starts with (the tool's name, or nothing)
 */
record CommandLine(String prefix, String usage) {

    /** The option's value; none, or a blank one, is a mistake. */
    String require(String option, String value) {
        if (value == null || value.isBlank()) {
            fail(option + " needs a value");
        }
        return value;
    }

    void fail(String problem) {
        System.err.println(prefix + problem);
        System.err.println(usage);
        System.exit(2);
    }
}
