package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfra;
import com.parley.infra.PostgresServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A rollback: this release starts on a database a newer release has migrated further (so does an
 * old pod that restarts in the middle of a rolling update). It refused to start ("Detected applied
 * migration not resolved locally"), and the previous image could not be brought back.
 */
@QuarkusTest
@TestProfile(RollbackTest.OnANewerSchema.class) // an instance of its own, on its own database
class RollbackTest {

    public static class OnANewerSchema implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(NewerSchema.class));
        }
    }

    /** A database of its own, migrated by this release and then by a "newer" one (version 99). */
    public static class NewerSchema implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(ChatInfra.get().serviceConfig());
            String server = config.get("quarkus.datasource.jdbc.url");
            String database = "newer_schema_" + System.nanoTime();
            try (Connection admin = DriverManager.getConnection(server, PostgresServer.USER, PostgresServer.PASSWORD);
                    Statement create = admin.createStatement()) {
                create.execute("create database " + database);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            String url = server.substring(0, server.lastIndexOf('/') + 1) + database;
            Flyway.configure().dataSource(url, PostgresServer.USER, PostgresServer.PASSWORD).load().migrate();
            try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
                    Statement newer = connection.createStatement()) {
                newer.execute("insert into flyway_schema_history (installed_rank, version, description, type, script,"
                        + " checksum, installed_by, execution_time, success) values (99, '99', 'a newer release',"
                        + " 'SQL', 'V99__a_newer_release.sql', 1, 'postgres', 1, true)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            config.put("quarkus.datasource.jdbc.url", url);
            return config;
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void thisReleaseStartsAndServesOnASchemaANewerReleaseMigrated() {
        given().get("/q/health/ready").then().statusCode(200);
        as(token("acme", "alice", "user")).body(Map.of()).post(sessionsPath("acme")).then().statusCode(201);
    }
}
