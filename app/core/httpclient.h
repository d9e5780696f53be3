// The one HTTP client connectors use. Each instance belongs to one worker thread and owns that thread's
// QNetworkAccessManager; send() runs a local event loop until the request is done, cancelled or timed out,
// so connector code stays straight-line (like the guide's `await`).
#pragma once

#include "cancel.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

using HttpHeader = QPair<QByteArray, QByteArray>;

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    QList<HttpHeader> headers;
    QByteArray body;
};

struct HttpResponse
{
    QUrl url;       // redacted: safe to show
    int status = 0; // 0 when no HTTP response arrived
    QByteArray body;
    QList<HttpHeader> headers; // names lower-cased
    QString networkError;      // empty when a whole response arrived
    int attempts = 0;
    qint64 refusedWaitMs = 0; // the API asked to wait longer than the longest wait allows

    bool ok() const { return networkError.isEmpty() && status >= 200 && status < 300; }
    QByteArray header(const QByteArray &lowerCaseName) const;
};

struct HttpPolicy
{
    int maxRetries = 6;           // retries after the first attempt
    int baseDelayMs = 500;        // first backoff step; doubles each retry, with jitter
    int maxDelayMs = 30000;       // cap of one computed backoff step
    int maxServerWaitMs = 900000; // longest wait the server may ask for (Retry-After, a reset time)
    int timeoutMs = 30000;        // one attempt, from send to last byte
};

// Spaces requests of one connection at least `minIntervalMs` apart, across all its worker threads.
class RateLimiter
{
public:
    explicit RateLimiter(int minIntervalMs = 0)
        : m_minIntervalMs(minIntervalMs)
    {
    }
    int minIntervalMs() const { return m_minIntervalMs; }
    // Milliseconds the caller must wait before its request; reserves the slot.
    qint64 reserve();

private:
    QMutex m_mutex;
    int m_minIntervalMs;
    qint64 m_nextAllowedMs = 0;
    QElapsedTimer m_clock;
};

class HttpClient
{
public:
    HttpClient(const CancelToken &cancel, HttpPolicy policy = {}, std::shared_ptr<RateLimiter> limiter = {});
    ~HttpClient();

    // Values never to appear in logs or errors (API keys, tokens). Empty strings are ignored.
    void addSecret(const QString &secret);
    void setDefaultHeaders(const QList<HttpHeader> &headers) { m_defaultHeaders = headers; }
    void setLogger(std::function<void(const QString &message)> logger) { m_logger = std::move(logger); }
    // Told when the client starts waiting (why, and until when) and when it stops (an empty reason). Called
    // on the client's thread.
    void setWaitObserver(std::function<void(const QString &reason, const QDateTime &until)> observer)
    {
        m_waitObserver = std::move(observer);
    }
    void setPolicy(const HttpPolicy &policy) { m_policy = policy; }
    const HttpPolicy &policy() const { return m_policy; }

    // Sends with retries on 429, 408, 5xx and network errors. Returns the last response (which may be an
    // error the caller turns into a message). Throws ConnectorError(Cancelled) when cancelled.
    HttpResponse send(const HttpRequest &request);
    HttpResponse get(const QUrl &url, const QList<HttpHeader> &headers = {});

    QString redact(QString text) const;
    // describeHttpFailure() with secrets redacted from the API's message too.
    QString failureMessage(const HttpResponse &response, const QString &apiMessage = {}) const;
    QUrl redactUrl(const QUrl &url) const;
    qint64 requestCount() const { return m_requestCount; }
    QUrl lastUrl() const { return m_lastUrl; }         // the last request's URL, redacted: safe to show
    QByteArray lastBody() const { return m_lastBody; } // the last response's body (shared, not copied)
    int lastStatus() const { return m_lastStatus; }    // the last response's HTTP status, 0 for none
    // The backoff before retry `attempt` (0-based): exponential with full jitter, capped by the policy.
    qint64 backoffMs(int attempt) const;
    // Waits `ms` on this thread; throws ConnectorError(Cancelled) when the job is cancelled meanwhile.
    void pause(qint64 ms);
    // Requests sent by every client of this process (the benchmark's "requests made").
    static qint64 totalRequestCount();

    // Exposed for tests: how long the server asked us to wait, in ms, or -1 when it did not say.
    static qint64 serverRequestedDelayMs(const HttpResponse &response, const QDateTime &now);
    static bool isRetryable(const HttpResponse &response);
    // A 429, or a 403 that GitHub-style APIs send for a spent or secondary rate limit.
    static bool isRateLimit(const HttpResponse &response);

private:
    HttpResponse sendOnce(const HttpRequest &request);
    void waitWithReason(qint64 ms, const QString &reason);

    CancelToken m_cancel;
    HttpPolicy m_policy;
    std::shared_ptr<RateLimiter> m_limiter;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QList<HttpHeader> m_defaultHeaders;
    QStringList m_secrets;
    std::function<void(const QString &)> m_logger;
    std::function<void(const QString &, const QDateTime &)> m_waitObserver;
    qint64 m_requestCount = 0;
    QUrl m_lastUrl;
    QByteArray m_lastBody;
    int m_lastStatus = 0;
};

// "42 s", "15 min", "2 h 5 min".
QString formatWait(qint64 ms);
// A readable one-line description of a failed response: "HTTP 503 from https://host/path: <reason>".
QString describeHttpFailure(const HttpResponse &response, const QString &apiMessage = {});
