package dev.lockbox.driver.session;

import dev.lockbox.driver.config.DriverConfig;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.ServiceLoader;

/** Opens the raw connection to the protected database with the credentials the server issued for the grant. */
final class TargetDatabase {
    private TargetDatabase() {}

    static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        try {
            return DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            // A tool that loads the lockbox jar and the vendor jar in separate class loaders hides the
            // vendor driver from DriverManager's caller check; look it up through the services instead.
            Connection c = viaServiceLoader(Thread.currentThread().getContextClassLoader(), jdbcUrl, props);
            if (c == null) {
                c = viaServiceLoader(TargetDatabase.class.getClassLoader(), jdbcUrl, props);
            }
            if (c == null) {
                throw e;
            }
            return c;
        }
    }

    private static Connection viaServiceLoader(ClassLoader loader, String url, Properties props) throws SQLException {
        if (loader == null) {
            return null;
        }
        for (Driver d : ServiceLoader.load(Driver.class, loader)) {
            if (!d.getClass().getName().startsWith("dev.lockbox.") && d.acceptsURL(url)) {
                Connection c = d.connect(url, props);
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    static boolean isLockboxUrl(String url) {
        return DriverConfig.accepts(url);
    }
}
