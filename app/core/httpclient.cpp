#include "httpclient.h"

#include "connector.h"

#include <QEventLoop>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimeZone>
#include <QTimer>
#include <QUrlQuery>

#include <atomic>
#include <cmath>

QByteArray HttpResponse::header(const QByteArray &lowerCaseName) const
{
    for (const HttpHeader &h : headers) {
        if (h.first == lowerCaseName)
            return h.second;
    }
    return {};
}

namespace {
std::atomic<qint64> s_totalRequests{0};
}

qint64 HttpClient::totalRequestCount()
{
    return s_totalRequests.load();
}

qint64 RateLimiter::reserve()
{
    if (m_minIntervalMs <= 0)
        return 0;
    QMutexLocker lock(&m_mutex);
    if (!m_clock.isValid())
        m_clock.start();
    const qint64 now = m_clock.elapsed();
    const qint64 slot = qMax(now, m_nextAllowedMs);
    m_nextAllowedMs = slot + m_minIntervalMs;
    return slot - now;
}

HttpClient::HttpClient(const CancelToken &cancel, HttpPolicy policy, std::shared_ptr<RateLimiter> limiter)
    : m_cancel(cancel)
    , m_policy(policy)
    , m_limiter(limiter ? std::move(limiter) : std::make_shared<RateLimiter>(0))
    , m_nam(std::make_unique<QNetworkAccessManager>())
{
    // Created on the worker thread that will use it: the QNetworkAccessManager belongs to that thread.
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

HttpClient::~HttpClient() = default;

void HttpClient::addSecret(const QString &secret)
{
    if (secret.size() >= 3 && !m_secrets.contains(secret))
        m_secrets.append(secret);
}

QString HttpClient::redact(QString text) const
{
    for (const QString &secret : m_secrets) {
        text.replace(secret, QStringLiteral("***"));
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(secret));
        if (encoded != secret)
            text.replace(encoded, QStringLiteral("***"));
    }
    return text;
}

QUrl HttpClient::redactUrl(const QUrl &url) const
{
    QUrl safe = url;
    safe.setUserInfo(QString());
    if (url.hasQuery()) {
        QUrlQuery query(url);
        const auto items = query.queryItems(QUrl::FullyDecoded);
        QUrlQuery cleaned;
        for (const auto &item : items) {
            const bool secretValue = m_secrets.contains(item.second);
            cleaned.addQueryItem(item.first, secretValue ? QStringLiteral("***") : item.second);
        }
        safe.setQuery(cleaned);
    }
    return safe;
}

QString HttpClient::failureMessage(const HttpResponse &response, const QString &apiMessage) const
{
    return redact(describeHttpFailure(response, apiMessage));
}

bool HttpClient::isRetryable(const HttpResponse &response)
{
    if (!response.networkError.isEmpty()) // no answer, or a body cut short: worth asking again
        return response.status != 0 || !response.networkError.startsWith(QLatin1String("Host not found"));
    const int s = response.status;
    if (s == 429 || s == 408 || (s >= 500 && s <= 599))
        return true;
    // GitHub-style exhausted rate limit, or a secondary limit with Retry-After.
    if (s == 403)
        return response.header("x-ratelimit-remaining") == "0" || !response.header("retry-after").isEmpty();
    return false;
}

qint64 HttpClient::serverRequestedDelayMs(const HttpResponse &response, const QDateTime &now)
{
    const QByteArray retryAfter = response.header("retry-after").trimmed();
    if (!retryAfter.isEmpty()) {
        bool ok = false;
        const double seconds = retryAfter.toDouble(&ok);
        if (ok)
            return qMax<qint64>(0, qint64(seconds * 1000));
        QDateTime at = QDateTime::fromString(QString::fromLatin1(retryAfter), Qt::RFC2822Date);
        if (!at.isValid()) {
            at = QLocale::c().toDateTime(QString::fromLatin1(retryAfter),
                                         QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
            at.setTimeSpec(Qt::UTC);
        }
        if (at.isValid())
            return qMax<qint64>(0, now.msecsTo(at));
    }
    // "RateLimit: limit=100, remaining=0, reset=7" (IETF draft, Close) and "RateLimit-Reset: 7".
    const QByteArray rateLimit = response.header("ratelimit");
    if (!rateLimit.isEmpty()) {
        static const QRegularExpression reset(QStringLiteral("reset=([0-9.]+)"));
        const auto match = reset.match(QString::fromLatin1(rateLimit));
        if (match.hasMatch())
            return qint64(match.captured(1).toDouble() * 1000);
    }
    const QByteArray resetDelta = response.header("ratelimit-reset");
    if (!resetDelta.isEmpty())
        return qMax<qint64>(0, qint64(resetDelta.toDouble() * 1000));
    // "X-RateLimit-Reset: <epoch seconds>" (GitHub), only meaningful when the limit is spent.
    const QByteArray resetEpoch = response.header("x-ratelimit-reset");
    if (!resetEpoch.isEmpty() &&
        (response.status == 429 || response.header("x-ratelimit-remaining") == "0")) {
        bool ok = false;
        const qint64 epoch = resetEpoch.toLongLong(&ok);
        if (ok)
            return qMax<qint64>(0, (epoch - now.toSecsSinceEpoch()) * 1000 + 500);
    }
    return -1;
}

HttpResponse HttpClient::get(const QUrl &url, const QList<HttpHeader> &headers)
{
    HttpRequest request;
    request.url = url;
    request.headers = headers;
    return send(request);
}

bool HttpClient::isRateLimit(const HttpResponse &response)
{
    return response.networkError.isEmpty() &&
           (response.status == 429 ||
            (response.status == 403 &&
             (response.header("x-ratelimit-remaining") == "0" || !response.header("retry-after").isEmpty())));
}

HttpResponse HttpClient::send(const HttpRequest &request)
{
    // Two budgets: waits the API asks for (a rate limit with Retry-After or a reset time) are bounded by the
    // longest wait each, and by kMaxRateLimitWaits in a row; everything else (5xx, network, a body cut
    // short, a rate limit that names no wait) spends the error retries (max_retries).
    constexpr int kMaxRateLimitWaits = 100;
    HttpResponse response;
    int errorRetries = 0;
    int rateLimitWaits = 0;
    for (int attempt = 0;; ++attempt) {
        if (m_cancel.isCancelled())
            throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
        const qint64 spacing = m_limiter->reserve();
        if (spacing > 1000)
            waitWithReason(spacing, QStringLiteral("request spacing (rate_limit_delay_ms)"));
        else
            pause(spacing);
        response = sendOnce(request);
        response.attempts = attempt + 1;
        if (!isRetryable(response))
            return response;

        const qint64 requested = serverRequestedDelayMs(response, QDateTime::currentDateTimeUtc());
        const bool askedToWait = isRateLimit(response) && requested >= 0;
        if (askedToWait && requested > m_policy.maxServerWaitMs) {
            response.refusedWaitMs = requested;
            return response;
        }
        if (askedToWait ? ++rateLimitWaits > kMaxRateLimitWaits : errorRetries++ >= m_policy.maxRetries)
            return response;
        // A wait the server asked for wins when longer than the backoff; "Retry-After: 0" still backs off a
        // little instead of spinning.
        qint64 delay = askedToWait
                           ? qMax<qint64>(requested, qMin<qint64>(backoffMs(rateLimitWaits - 1), 1000))
                           : backoffMs(errorRetries - 1);
        if (!askedToWait && requested >= 0)
            delay = qMin<qint64>(qMax(delay, requested), m_policy.maxServerWaitMs);
        const QString what = response.networkError.isEmpty() ? QStringLiteral("HTTP %1").arg(response.status)
                                                             : response.networkError;
        const QString reason = askedToWait
                                   ? QStringLiteral("rate limit (HTTP %1)").arg(response.status)
                                   : QStringLiteral("backoff after %1 (retry %2 of %3)")
                                         .arg(!response.networkError.isEmpty()
                                                  ? (response.status ? QStringLiteral("an answer cut short")
                                                                     : QStringLiteral("a network error"))
                                                  : QStringLiteral("HTTP %1").arg(response.status))
                                         .arg(errorRetries)
                                         .arg(m_policy.maxRetries);
        if (m_logger)
            m_logger(redact(askedToWait ? QStringLiteral("%1 from %2; waiting %3 s as the API asks")
                                              .arg(what, response.url.toString())
                                              .arg(delay / 1000.0, 0, 'f', 1)
                                        : QStringLiteral("%1 from %2; retrying in %3 s (retry %4 of %5)")
                                              .arg(what, response.url.toString())
                                              .arg(delay / 1000.0, 0, 'f', 1)
                                              .arg(errorRetries)
                                              .arg(m_policy.maxRetries)));
        waitWithReason(delay, reason);
    }
}

void HttpClient::waitWithReason(qint64 ms, const QString &reason)
{
    if (ms <= 0)
        return;
    if (m_waitObserver)
        m_waitObserver(reason, QDateTime::currentDateTimeUtc().addMSecs(ms));
    try {
        pause(ms);
    } catch (...) {
        if (m_waitObserver)
            m_waitObserver(QString(), QDateTime());
        throw;
    }
    if (m_waitObserver)
        m_waitObserver(QString(), QDateTime());
}

qint64 HttpClient::backoffMs(int attempt) const
{
    const double step = qMin<double>(m_policy.maxDelayMs, m_policy.baseDelayMs * std::pow(2.0, attempt));
    return qint64(step / 2 + QRandomGenerator::global()->bounded(step / 2 + 1));
}

void HttpClient::pause(qint64 ms)
{
    if (ms <= 0)
        return;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        if (m_cancel.isCancelled())
            throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
        QEventLoop loop;
        QTimer::singleShot(int(qMin<qint64>(50, ms - clock.elapsed())), &loop, &QEventLoop::quit);
        loop.exec();
    }
}

HttpResponse HttpClient::sendOnce(const HttpRequest &request)
{
    QNetworkRequest netRequest(request.url);
    for (const HttpHeader &h : m_defaultHeaders)
        netRequest.setRawHeader(h.first, h.second);
    for (const HttpHeader &h : request.headers)
        netRequest.setRawHeader(h.first, h.second);
    netRequest.setTransferTimeout(m_policy.timeoutMs);

    ++m_requestCount;
    ++s_totalRequests;
    // Deleted directly once read: deleteLater() would wait for an outer event loop this thread may not run.
    std::unique_ptr<QNetworkReply> owner(m_nam->sendCustomRequest(netRequest, request.method, request.body));
    QNetworkReply *reply = owner.get();
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    // Cancellation is a flag set from another thread: look at it while the request is in flight.
    QTimer cancelPoll;
    cancelPoll.setInterval(50);
    QObject::connect(&cancelPoll, &QTimer::timeout, reply, [this, reply] {
        if (m_cancel.isCancelled())
            reply->abort();
    });
    cancelPoll.start();
    if (!reply->isFinished())
        loop.exec();
    cancelPoll.stop();

    HttpResponse response;
    response.url = redactUrl(request.url);
    m_lastUrl = response.url;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    response.status = status.isValid() ? status.toInt() : 0;
    response.body = reply->readAll();
    m_lastBody = response.body;
    m_lastStatus = response.status;
    const auto pairs = reply->rawHeaderPairs();
    response.headers.reserve(pairs.size());
    for (const auto &pair : pairs)
        response.headers.append({pair.first.toLower(), pair.second});
    // A 2xx whose body stops short of its Content-Length (the connection closed mid-body) is not an answer.
    const qint64 declared = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    if (response.status != 0 &&
        (reply->error() != QNetworkReply::NoError || declared > response.body.size()) &&
        response.status >= 200 && response.status < 300) {
        response.networkError = QStringLiteral("The answer from %1 ended early (%2 of %3 bytes)")
                                    .arg(response.url.toString())
                                    .arg(response.body.size())
                                    .arg(declared > 0 ? QString::number(declared) : QStringLiteral("?"));
    }
    if (response.status == 0) {
        if (m_cancel.isCancelled())
            throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
        switch (reply->error()) {
        case QNetworkReply::HostNotFoundError:
            response.networkError = QStringLiteral("Host not found: %1").arg(request.url.host());
            break;
        case QNetworkReply::ConnectionRefusedError:
            response.networkError = QStringLiteral("Connection refused by %1").arg(request.url.authority());
            break;
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            response.networkError = QStringLiteral("No answer within %1 s").arg(m_policy.timeoutMs / 1000.0);
            break;
        default:
            response.networkError = redact(reply->errorString());
            if (response.networkError.isEmpty())
                response.networkError = QStringLiteral("Network error");
        }
    }
    return response;
}

QString formatWait(qint64 ms)
{
    const qint64 seconds = (ms + 999) / 1000;
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 7200)
        return QStringLiteral("%1 min").arg((seconds + 59) / 60);
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600 + 59) / 60);
}

QString describeHttpFailure(const HttpResponse &response, const QString &apiMessage)
{
    const QString where = response.url.toString(QUrl::RemoveUserInfo);
    if (response.status == 0)
        return QStringLiteral("%1 (%2)").arg(response.networkError, where);
    if (!response.networkError.isEmpty()) // a body cut short, after every retry
        return QStringLiteral("%1 (after %2 attempts)").arg(response.networkError).arg(response.attempts);
    if (response.refusedWaitMs > 0)
        return QStringLiteral("HTTP %1 from %2: the API asks to wait %3 before the next request, longer than "
                              "this connection's longest wait; raise \"Longest wait\" (longest_wait_s, up to "
                              "86400 s) in its advanced settings to allow it, or sync again later")
            .arg(response.status)
            .arg(where, formatWait(response.refusedWaitMs));
    QString text = QStringLiteral("HTTP %1 from %2").arg(response.status).arg(where);
    if (!apiMessage.isEmpty())
        text += QStringLiteral(": ") + apiMessage;
    if (response.attempts > 1)
        text += QStringLiteral(" (after %1 attempts)").arg(response.attempts);
    return text;
}
