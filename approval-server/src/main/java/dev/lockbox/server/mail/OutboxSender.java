package dev.lockbox.server.mail;

import dev.lockbox.server.ServerConfig.SmtpSettings;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox over SMTP (Angus Mail) on its own thread. A failed mail is retried with
 * exponential backoff (retryInitial doubling up to retryMax), forever: a mail is never dropped.
 * Retry timing uses the wall clock, not the server's business clock. Every replica sharing the store
 * runs a sender; each mail is claimed ({@link Outbox#claim}) before it is sent, so it goes out once.
 */
public final class OutboxSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
    private static final long POLL_MILLIS = 500;
    /** How long a claimed mail is this sender's: well over one SMTP attempt's timeouts (5 s connect + 10 s + 10 s). */
    private static final long CLAIM_LEASE_MILLIS = 120_000;

    private final Outbox outbox;
    private final SmtpSettings smtp;
    private final Session session;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running = true;

    public OutboxSender(Outbox outbox, SmtpSettings smtp) {
        this.outbox = outbox;
        this.smtp = smtp;
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.enabled() ? smtp.host() : "localhost");
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.connectiontimeout", "5000");
        p.put("mail.smtp.timeout", "10000");
        p.put("mail.smtp.writetimeout", "10000");
        if (smtp.user() != null) {
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.starttls.enable", "true");
        }
        this.session = Session.getInstance(p);
        this.thread = new Thread(this::run, "lockbox-mail-sender");
        this.thread.setDaemon(true);
        outbox.onEnqueue(this::wakeUp);
    }

    public void start() {
        if (smtp.enabled()) thread.start();
        else LOG.warn("SMTP is not configured: notifications stay queued in the outbox");
    }

    private void wakeUp() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                List<Outbox.OutboxMail> due = outbox.due(System.currentTimeMillis(), 50);
                for (Outbox.OutboxMail m : due) {
                    if (!running) return;
                    // Another replica's sender may have read the same row: only the claimant sends.
                    if (outbox.claim(m, System.currentTimeMillis() + CLAIM_LEASE_MILLIS)) deliver(m);
                }
                if (due.size() < 50) sleep();
            } catch (RuntimeException e) {
                LOG.warn("mail outbox: {}", e.toString());
                sleep();
            }
        }
    }

    private void deliver(Outbox.OutboxMail m) {
        try {
            MimeMessage msg = new MimeMessage(session);
            msg.setFrom(new InternetAddress(smtp.from()));
            msg.setRecipients(Message.RecipientType.TO, InternetAddress.parse(m.recipient()));
            msg.setSubject(m.subject(), "UTF-8");
            msg.setText(m.body(), "UTF-8");
            if (smtp.user() != null) Transport.send(msg, smtp.user(), smtp.password());
            else Transport.send(msg);
            outbox.markSent(m.id(), Instant.now());
        } catch (MessagingException e) {
            long backoff = Math.min(smtp.retryMax().toMillis(), smtp.retryInitial().toMillis() << Math.min(m.attempts(), 20));
            LOG.warn("mail {} to {} not delivered (attempt {}), retry in {} ms: {}", m.id(), m.recipient(), m.attempts() + 1, backoff, e.getMessage());
            outbox.markFailed(m.id(), System.currentTimeMillis() + backoff, String.valueOf(e.getMessage()));
        }
    }

    private void sleep() {
        lock.lock();
        try {
            if (!woken && running) wake.await(POLL_MILLIS, TimeUnit.MILLISECONDS);
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        wakeUp();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
