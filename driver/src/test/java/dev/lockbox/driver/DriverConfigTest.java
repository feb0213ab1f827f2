package dev.lockbox.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockbox.driver.config.AuditMode;
import dev.lockbox.driver.config.DriverConfig;
import dev.lockbox.driver.config.DriverProperty;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** URL and property parsing: bad values get a clear SQLException and nothing is contacted. */
class DriverConfigTest {
    private final AtomicInteger serverClients = new AtomicInteger();
    private final LockboxDriver driver = new LockboxDriver(c -> {
        serverClients.incrementAndGet();
        throw new AssertionError("the server must not be contacted");
    }, Clock.systemUTC());

    private static Properties login() {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "t0ken");
        return p;
    }

    @Test
    void defaults() throws SQLException {
        DriverConfig c = DriverConfig.parse("jdbc:lockbox://lockbox.example.com:8443/prod-eu", login());
        assertThat(c.host()).isEqualTo("lockbox.example.com");
        assertThat(c.port()).isEqualTo(8443);
        assertThat(c.environment()).isEqualTo("prod-eu");
        assertThat(c.ssl()).isFalse();
        assertThat(c.auditMode()).isEqualTo(AuditMode.SYNC);
        assertThat(c.auditMaxPending()).isEqualTo(10_000);
        assertThat(c.auditMaxLagMs()).isEqualTo(5000);
        assertThat(c.auditLingerMs()).isEqualTo(5);
        assertThat(c.grantCheckIntervalMs()).isEqualTo(500);
        assertThat(c.grantConfirmTimeoutMs()).isEqualTo(5000);
        assertThat(c.serverUri().toString()).isEqualTo("http://lockbox.example.com:8443");
        assertThat(c.toString()).doesNotContain("t0ken");
    }

    @Test
    void urlPropertiesWinOverInfoProperties() throws SQLException {
        Properties p = login();
        p.setProperty("audit", "sync");
        p.setProperty("applicationName", "from-info");
        p.setProperty("someToolProperty", "ignored");
        DriverConfig c = DriverConfig.parse("jdbc:lockbox://[::1]:8080/dev?audit=ASYNC&ssl=true&auditMaxPending=5"
                + "&auditMaxLagMs=250&grantCheckIntervalMs=100&grantConfirmTimeoutMs=900&connectTimeoutMs=300", p);
        assertThat(c.auditMode()).isEqualTo(AuditMode.ASYNC);
        assertThat(c.ssl()).isTrue();
        assertThat(c.serverUri().toString()).isEqualTo("https://[::1]:8080");
        assertThat(c.auditMaxPending()).isEqualTo(5);
        assertThat(c.auditMaxLagMs()).isEqualTo(250);
        assertThat(DriverConfig.parse("jdbc:lockbox://h:1/env?audit=async&auditLingerMs=0", p).auditLingerMs()).isZero();
        assertThat(DriverConfig.parse("jdbc:lockbox://h:1/env?auditLingerMs=125&auditMaxLagMs=250", p).auditLingerMs())
                .as("half the lag bound is allowed").isEqualTo(125);
        assertThat(c.grantCheckIntervalMs()).isEqualTo(100);
        assertThat(c.grantConfirmTimeoutMs()).isEqualTo(900);
        assertThat(c.connectTimeoutMs()).isEqualTo(300);
        assertThat(c.applicationName()).isEqualTo("from-info");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:lockbox://host/env                          | has no port",
        "jdbc:lockbox://host:8080                         | has no environment",
        "jdbc:lockbox://host:0/env                        | Invalid port",
        "jdbc:lockbox://host:70000/env                    | Invalid port",
        "jdbc:lockbox://host:http/env                     | Invalid port",
        "jdbc:lockbox://ho st:8080/env                    | Invalid approval server host",
        "jdbc:lockbox://:8080/env                         | Invalid approval server host",
        "jdbc:lockbox://host:8080/Prod                    | Invalid environment name",
        "jdbc:lockbox://host:8080/env/x                   | Invalid environment name",
        "jdbc:lockbox://host:8080/                        | Invalid environment name",
        "jdbc:lockbox://host:8080/env?audit=maybe         | Invalid audit='maybe'",
        "jdbc:lockbox://host:8080/env?ssl=yes             | Invalid ssl='yes'",
        "jdbc:lockbox://host:8080/env?auditMaxPending=0   | Invalid auditMaxPending 0",
        "jdbc:lockbox://host:8080/env?auditMaxLagMs=-1    | Invalid auditMaxLagMs -1",
        "jdbc:lockbox://host:8080/env?auditLingerMs=-1    | Invalid auditLingerMs -1",
        "jdbc:lockbox://host:8080/env?auditLingerMs=1001  | Invalid auditLingerMs 1001",
        "jdbc:lockbox://host:8080/env?auditLingerMs=126&auditMaxLagMs=250 | Invalid auditLingerMs 126: at most half of auditMaxLagMs (250)",
        "jdbc:lockbox://host:8080/env?grantCheckIntervalMs=5000 | Invalid grantCheckIntervalMs 5000",
        "jdbc:lockbox://host:8080/env?grantConfirmTimeoutMs=ten | Invalid grantConfirmTimeoutMs 'ten'",
        "jdbc:lockbox://host:8080/env?connectTimeoutMs=1  | Invalid connectTimeoutMs 1",
        "jdbc:lockbox://host:8080/env?auditt=async        | Unknown Lockbox URL property 'auditt'",
        "jdbc:lockbox://host:8080/env?audit               | Invalid URL property 'audit'",
        "jdbc:lockbox://host:8080/env?audit=sync&audit=async | given twice",
        "jdbc:lockbox://host:8080/env?password=secret     | Do not put the API token in the Lockbox URL",
        "jdbc:lockbox://host:8080/env?applicationName=%00 | Invalid applicationName",
    })
    void badUrlsAreRefusedWithoutContactingAnything(String url, String message) {
        assertThatThrownBy(() -> driver.connect(url, login()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
        assertThat(serverClients).hasValue(0);
    }

    @Test
    void missingUserOrTokenIsRefusedWithoutContactingTheServer() {
        Properties noToken = new Properties();
        noToken.setProperty("user", "alice");
        assertThatThrownBy(() -> driver.connect("jdbc:lockbox://h:1/env", noToken))
                .hasMessageContaining("JDBC password is your Lockbox API token")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
        assertThatThrownBy(() -> driver.connect("jdbc:lockbox://h:1/env", new Properties()))
                .hasMessageContaining("JDBC user is your Lockbox user name");
        assertThat(serverClients).hasValue(0);
    }

    @Test
    void foreignUrlsAreNotOurs() throws SQLException {
        assertThat(driver.acceptsURL("jdbc:h2:mem:x")).isFalse();
        assertThat(driver.acceptsURL("jdbc:lockbox:h2:mem:x")).isFalse();
        assertThat(driver.acceptsURL(null)).isFalse();
        assertThat(driver.acceptsURL("jdbc:lockbox://h:1/env")).isTrue();
        assertThat(driver.connect("jdbc:h2:mem:x", login())).isNull();
        assertThat(driver.connect("jdbc:postgresql://h/db", login())).isNull();
        assertThat(serverClients).hasValue(0);
    }

    @Test
    void registeredThroughServiceLoaderAndDriverManager() throws SQLException {
        Driver d = DriverManager.getDriver("jdbc:lockbox://127.0.0.1:1/env");
        assertThat(d).isInstanceOf(LockboxDriver.class);
        assertThat(DriverManager.getDriver("jdbc:h2:mem:x")).isNotInstanceOf(LockboxDriver.class);
        assertThat(d.jdbcCompliant()).isFalse();
    }

    @Test
    void propertyInfoDescribesEveryProperty() {
        DriverPropertyInfo[] info = driver.getPropertyInfo("jdbc:lockbox://h:1/env?audit=async", login());
        assertThat(Arrays.stream(info).map(i -> i.name))
                .containsExactlyInAnyOrder(Arrays.stream(DriverProperty.values()).map(DriverProperty::key).toArray(String[]::new));
        assertThat(info).allSatisfy(i -> assertThat(i.description).isNotBlank());
        DriverPropertyInfo audit = Arrays.stream(info).filter(i -> i.name.equals("audit")).findFirst().orElseThrow();
        assertThat(audit.value).isEqualTo("async");
        assertThat(audit.choices).containsExactly("sync", "async");
        DriverPropertyInfo password = Arrays.stream(info).filter(i -> i.name.equals("password")).findFirst().orElseThrow();
        assertThat(password.required).isTrue();
        assertThat(password.value).as("the token is never echoed").isNull();
        DriverPropertyInfo interval = Arrays.stream(info).filter(i -> i.name.equals("grantCheckIntervalMs")).findFirst().orElseThrow();
        assertThat(interval.value).isEqualTo("500");
        DriverPropertyInfo linger = Arrays.stream(info).filter(i -> i.name.equals("auditLingerMs")).findFirst().orElseThrow();
        assertThat(linger.value).isEqualTo("5");
        assertThat(linger.description).contains("audit=async", "0..1000 ms");
    }
}
