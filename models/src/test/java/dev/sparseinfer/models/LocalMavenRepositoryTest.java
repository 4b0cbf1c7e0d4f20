package dev.sparseinfer.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMavenRepositoryTest {

    @TempDir
    Path home;

    @Test
    void withNothingSaidItIsTheDotM2Repository() {
        assertEquals(home.resolve(".m2/repository"), LocalMavenRepository.locate(null, home));
    }

    @Test
    void theSystemPropertyWins() throws IOException {
        settings("<settings><localRepository>/elsewhere</localRepository></settings>");

        assertEquals(Path.of("/from/property"), LocalMavenRepository.locate("/from/property", home));
    }

    @Test
    void settingsXmlMayMoveIt() throws IOException {
        settings("""
                <settings>
                  <!-- <localRepository>/path/to/local/repo</localRepository> as Maven's template has it -->
                  <localRepository>
                    ${user.home}/maven-cache
                  </localRepository>
                </settings>
                """);

        assertEquals(home.resolve("maven-cache"), LocalMavenRepository.locate("", home));
    }

    @Test
    void aCommentedOutOrUnreadableSettingIsLeftToMaven() throws IOException {
        settings("<settings><!-- <localRepository>/path/to/local/repo</localRepository> --></settings>");
        assertEquals(home.resolve(".m2/repository"), LocalMavenRepository.locate(null, home));

        settings("<settings><localRepository>${env.MAVEN_REPO}</localRepository></settings>");
        assertEquals(home.resolve(".m2/repository"), LocalMavenRepository.locate(null, home));
    }

    private void settings(String xml) throws IOException {
        Files.createDirectories(home.resolve(".m2"));
        Files.writeString(home.resolve(".m2/settings.xml"), xml);
    }
}
