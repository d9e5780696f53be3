// The core HTTP client against a scripted server on 127.0.0.1: retries, Retry-After, backoff, timeouts,
// cancellation of the request in flight, rate limiting and redaction.
#include "connector.h"
#include "fakehttpserver.h"
#include "httpclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <deque>

namespace {
// Answers from a queue; once empty, 200 {"ok":true}.
class ScriptedServer : public FakeHttpServer
{
public:
    void push(const FakeResponse &response)
    {
        QMutexLocker lock(&m_mutex);
        m_script.push_back(response);
    }

protected:
    FakeResponse handle(const FakeRequest &) override
    {
        QMutexLocker lock(&m_mutex);
        if (m_script.empty())
            return FakeResponse::json(200, "{\"ok\":true}");
        FakeResponse r = m_script.front();
        m_script.pop_front();
        return r;
    }

private:
    QMutex m_mutex;
    std::deque<FakeResponse> m_script;
};

FakeResponse status(int code, QList<QPair<QByteArray, QByteArray>> headers = {})
{
    FakeResponse r = FakeResponse::json(code, "{\"error\":{\"message\":\"nope\"}}");
    r.headers += headers;
    return r;
}

HttpPolicy fastPolicy()
{
    HttpPolicy policy;
    policy.baseDelayMs = 100;
    policy.maxDelayMs = 400;
    policy.maxRetries = 4;
    policy.timeoutMs = 5000;
    return policy;
}
} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private:
    ScriptedServer *m_server = nullptr;
    QUrl url(const QString &path = QStringLiteral("/v1/things")) const
    {
        QUrl u = m_server->baseUrl();
        u.setPath(path);
        return u;
    }

private slots:
    void init()
    {
        m_server = new ScriptedServer;
        QVERIFY(m_server->start());
    }
    void cleanup() { delete m_server; }

    void serverRequestedDelay_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expectedMs");
        const QDateTime now = QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC);
        const QByteArray date =
            QLocale::c()
                .toString(now.addSecs(7), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
                .toLatin1();
        QTest::newRow("seconds") << 429 << QByteArray("retry-after") << QByteArray("2") << qint64(2000);
        QTest::newRow("zero") << 429 << QByteArray("retry-after") << QByteArray("0") << qint64(0);
        QTest::newRow("http-date") << 503 << QByteArray("retry-after") << date << qint64(7000);
        QTest::newRow("ratelimit header") << 429 << QByteArray("ratelimit")
                                          << QByteArray("limit=100, remaining=0, reset=4") << qint64(4000);
        QTest::newRow("ratelimit-reset")
            << 429 << QByteArray("ratelimit-reset") << QByteArray("3") << qint64(3000);
        QTest::newRow("x-ratelimit-reset epoch")
            << 429 << QByteArray("x-ratelimit-reset") << QByteArray("1800000010") << qint64(10500);
        QTest::newRow("none") << 503 << QByteArray("x-other") << QByteArray("1") << qint64(-1);
    }

    void serverRequestedDelay()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        QFETCH(qint64, expectedMs);
        HttpResponse response;
        response.status = status;
        response.headers = {{name, value}};
        QCOMPARE(
            HttpClient::serverRequestedDelayMs(response, QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC)),
            expectedMs);
    }

    void retryableStatuses_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("retryable");
        QTest::newRow("200") << 200 << false;
        QTest::newRow("400") << 400 << false;
        QTest::newRow("401") << 401 << false;
        QTest::newRow("404") << 404 << false;
        QTest::newRow("408") << 408 << true;
        QTest::newRow("429") << 429 << true;
        QTest::newRow("500") << 500 << true;
        QTest::newRow("502") << 502 << true;
        QTest::newRow("503") << 503 << true;
    }

    void retryableStatuses()
    {
        QFETCH(int, status);
        QFETCH(bool, retryable);
        HttpResponse response;
        response.status = status;
        QCOMPARE(HttpClient::isRetryable(response), retryable);
    }

    void retryAfterIsWaitedOut()
    {
        m_server->push(status(429, {{"Retry-After", "1"}}));
        HttpClient client(CancelToken(), fastPolicy());
        QElapsedTimer clock;
        clock.start();
        const HttpResponse r = client.get(url());
        QVERIFY(r.ok());
        QCOMPARE(r.attempts, 2);
        QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
    }

    void retryAfterZeroDoesNotSpin()
    {
        for (int i = 0; i < 3; ++i)
            m_server->push(status(429, {{"Retry-After", "0"}}));
        HttpClient client(CancelToken(), fastPolicy());
        QElapsedTimer clock;
        clock.start();
        const HttpResponse r = client.get(url());
        QVERIFY(r.ok());
        QCOMPARE(m_server->requestCount(), 4);
        // Backoff still applied: at least half of 100 + 200 + 400 ms.
        QVERIFY2(clock.elapsed() >= 350, qPrintable(QString::number(clock.elapsed())));
    }

    void serverErrorsRecoverAndClientErrorsDoNot()
    {
        m_server->push(status(500));
        m_server->push(status(502));
        m_server->push(status(503));
        HttpClient client(CancelToken(), fastPolicy());
        QVERIFY(client.get(url()).ok());
        QCOMPARE(m_server->requestCount(), 4);

        m_server->push(status(404));
        const HttpResponse notFound = client.get(url());
        QCOMPARE(notFound.status, 404);
        QCOMPARE(notFound.attempts, 1);
    }

    void retriesAreCapped()
    {
        for (int i = 0; i < 10; ++i)
            m_server->push(status(503));
        HttpPolicy policy = fastPolicy();
        policy.maxRetries = 2;
        HttpClient client(CancelToken(), policy);
        const HttpResponse r = client.get(url());
        QCOMPARE(r.status, 503);
        QCOMPARE(r.attempts, 3);
        QVERIFY(describeHttpFailure(r).contains(QLatin1String("after 3 attempts")));
    }

    // Waits the API asks for do not spend the error retries: more rate limits than max_retries still end in
    // the answer, and each wait is announced with its reason and end.
    void rateLimitWaitsHaveTheirOwnBudget()
    {
        for (int i = 0; i < 5; ++i)
            m_server->push(status(429, {{"Retry-After", "0"}}));
        m_server->push(status(503));
        HttpPolicy policy = fastPolicy();
        policy.maxRetries = 1;
        HttpClient client(CancelToken(), policy);
        QStringList reasons;
        client.setWaitObserver([&](const QString &reason, const QDateTime &until) {
            if (!reason.isEmpty()) {
                reasons.append(reason);
                QVERIFY(until > QDateTime::currentDateTimeUtc().addSecs(-1));
            }
        });
        const HttpResponse r = client.get(url());
        QVERIFY(r.ok());
        QCOMPARE(r.attempts, 7);
        QCOMPARE(reasons.count(QStringLiteral("rate limit (HTTP 429)")), 5);
        QCOMPARE(reasons.last(), QStringLiteral("backoff after HTTP 503 (retry 1 of 1)"));
    }

    // A wait longer than the longest wait is not waited for: the answer comes back at once, saying what the
    // API asked and how to allow it.
    void aWaitLongerThanTheLongestFailsAtOnce()
    {
        m_server->push(status(429, {{"Retry-After", "3600"}}));
        HttpPolicy policy = fastPolicy();
        policy.maxServerWaitMs = 900000;
        HttpClient client(CancelToken(), policy);
        bool waited = false;
        client.setWaitObserver(
            [&](const QString &reason, const QDateTime &) { waited |= !reason.isEmpty(); });
        const HttpResponse r = client.get(url());
        QCOMPARE(r.status, 429);
        QCOMPARE(r.attempts, 1);
        QVERIFY(!waited);
        QCOMPARE(r.refusedWaitMs, qint64(3600000));
        const QString message = describeHttpFailure(r);
        QVERIFY2(message.contains(QLatin1String("asks to wait 60 min")) &&
                     message.contains(QLatin1String("longest_wait_s")),
                 qPrintable(message));
    }

    void timeoutIsReported()
    {
        FakeResponse slow = FakeResponse::json(200, "{}");
        slow.delayMs = 3000;
        m_server->push(slow);
        HttpPolicy policy = fastPolicy();
        policy.timeoutMs = 300;
        policy.maxRetries = 0;
        HttpClient client(CancelToken(), policy);
        const HttpResponse r = client.get(url());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.networkError.contains(QLatin1String("No answer")), qPrintable(r.networkError));
    }

    void cancelAbortsTheRequestInFlight()
    {
        FakeResponse slow = FakeResponse::json(200, "{}");
        slow.delayMs = 10000;
        m_server->push(slow);
        CancelToken token;
        HttpClient client(token, fastPolicy());
        // The cancel comes from another thread, as it does from the GUI.
        QThread *canceller = QThread::create([token] {
            QThread::msleep(200);
            token.cancel();
        });
        canceller->start();
        QElapsedTimer clock;
        clock.start();
        bool cancelled = false;
        try {
            client.get(url());
        } catch (const ConnectorError &error) {
            cancelled = error.kind() == ConnectorError::Kind::Cancelled;
        }
        canceller->wait();
        delete canceller;
        QVERIFY(cancelled);
        QVERIFY(clock.elapsed() < 5000);
    }

    void connectionRefusedIsRetriedThenReported()
    {
        const QUrl dead(QStringLiteral("http://127.0.0.1:1/v1/x"));
        HttpPolicy policy = fastPolicy();
        policy.maxRetries = 1;
        HttpClient client(CancelToken(), policy);
        const HttpResponse r = client.get(dead);
        QCOMPARE(r.status, 0);
        QCOMPARE(r.attempts, 2);
        QVERIFY2(r.networkError.contains(QLatin1String("Connection refused")), qPrintable(r.networkError));
    }

    void rateLimiterSpacesRequests()
    {
        auto limiter = std::make_shared<RateLimiter>(100);
        HttpClient client(CancelToken(), fastPolicy(), limiter);
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 5; ++i)
            QVERIFY(client.get(url()).ok());
        QVERIFY2(clock.elapsed() >= 400, qPrintable(QString::number(clock.elapsed())));
    }

    void secretsAreRedacted()
    {
        const QString secret = QStringLiteral("sk_live_TOPSECRET42");
        m_server->push(status(503));
        HttpClient client(CancelToken(), fastPolicy());
        client.addSecret(secret);
        QStringList logged;
        client.setLogger([&](const QString &line) { logged.append(line); });
        QUrl withKey = url();
        withKey.setQuery(QStringLiteral("api_key=") + secret + QStringLiteral("&limit=10"));
        const HttpResponse r = client.get(withKey, {{"Authorization", "Bearer " + secret.toUtf8()}});
        QVERIFY(r.ok());
        QVERIFY(!r.url.toString().contains(secret));
        QVERIFY(r.url.toString().contains(QLatin1String("limit=10")));
        QCOMPARE(logged.size(), 1);
        QVERIFY(!logged.first().contains(secret));
        QVERIFY(!client.failureMessage(r, QStringLiteral("bad key ") + secret).contains(secret));
        QCOMPARE(client.redact(QStringLiteral("x ") + secret + QStringLiteral(" y")),
                 QStringLiteral("x *** y"));
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
