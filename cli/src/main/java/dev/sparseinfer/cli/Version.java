package dev.sparseinfer.cli;

import picocli.CommandLine;

/** The version line, from the jar manifest when there is one. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"sparseinfer " + (v == null ? "(development build)" : v) + ", Java " + Runtime.version()};
    }
}
