package dev.lockbox.driver;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} for pools and frameworks: {@code url}, {@code user} (Lockbox user),
 * {@code password} (API token) and any driver property through {@link #setProperty}.
 */
public class LockboxDataSource implements DataSource {
    private final LockboxDriver driver;
    private final Properties properties = new Properties();
    private volatile String url;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeoutSeconds;

    public LockboxDataSource() {
        this(LockboxDriver.registered());
    }

    /** A data source over a given driver instance (its own audit sinks and grant watches). */
    public LockboxDataSource(LockboxDriver driver) {
        this.driver = driver;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUser(String user) {
        properties.setProperty("user", user);
    }

    public String getUser() {
        return properties.getProperty("user");
    }

    public void setPassword(String token) {
        properties.setProperty("password", token);
    }

    /** Any property of docs/driver.md, e.g. {@code audit=async}. */
    public void setProperty(String name, String value) {
        properties.setProperty(name, value);
    }

    // Bean setters, so pools configured by property files (HikariCP dataSource.* properties) reach every driver property.

    public void setSsl(String value) {
        setProperty("ssl", value);
    }

    public void setAudit(String value) {
        setProperty("audit", value);
    }

    public void setAuditMaxPending(String value) {
        setProperty("auditMaxPending", value);
    }

    public void setAuditMaxLagMs(String value) {
        setProperty("auditMaxLagMs", value);
    }

    public void setGrantCheckIntervalMs(String value) {
        setProperty("grantCheckIntervalMs", value);
    }

    public void setGrantConfirmTimeoutMs(String value) {
        setProperty("grantConfirmTimeoutMs", value);
    }

    public void setConnectTimeoutMs(String value) {
        setProperty("connectTimeoutMs", value);
    }

    public void setApplicationName(String value) {
        setProperty("applicationName", value);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connect((Properties) properties.clone());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        Properties p = (Properties) properties.clone();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return connect(p);
    }

    private Connection connect(Properties p) throws SQLException {
        String u = url;
        if (u == null) {
            throw SqlState.CANNOT_CONNECT.exception("LockboxDataSource has no url: set jdbc:lockbox://HOST:PORT/ENVIRONMENT");
        }
        Connection c = driver.connect(u, p);
        if (c == null) {
            throw SqlState.CANNOT_CONNECT.exception("Not a Lockbox URL: " + u);
        }
        return c;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("LockboxDataSource does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
